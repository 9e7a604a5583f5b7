using System.Diagnostics;
using Boot2IsoKit.Formats.OsRelease;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>
/// Boots an ISO in QEMU the way docker-machine uses it and checks, over SSH as the docker user, what the
/// build promised (<see cref="VerificationFacts"/>): the ISO as the CD-ROM with docker-machine's userdata
/// disk (key login, the data disk formatted, the daemon the ISO's own init started, the banner, injected
/// binaries, the recipe's commands), then the hybrid image as a hard disk without a data disk (password
/// login as boot2docker allows, the daemon).
/// </summary>
internal sealed class IsoVerifier(VerifyOptions options, Action<string> progress)
{
    /// <summary>docker-machine's user; boot2docker's Dockerfile gives it the password tcuser.</summary>
    public const string User = "docker";

    public const string Password = "tcuser";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    public async Task<VerificationReport> VerifyAsync(string iso, VerificationFacts facts, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var qemu = QemuLauncher.FindQemu();
        var report = new VerificationReport();
        var scratch = Directory.CreateTempSubdirectory("b2ik-verify-").FullName;
        try
        {
            foreach (var medium in options.Boots)
            {
                await BootAsync(qemu, Path.GetFullPath(iso), medium, facts, report, Directory.CreateDirectory(Path.Combine(scratch, medium.ToString())).FullName, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        return report;
    }

    private async Task BootAsync(string qemu, string iso, VmBootMedium medium, VerificationFacts facts, VerificationReport report, string scratch, CancellationToken ct)
    {
        var boot = medium == VmBootMedium.CdRomWithDataDisk ? "cd+disk" : "hard disk";
        string? disk = null;
        Renci.SshNet.AuthenticationMethod login;
        if (medium == VmBootMedium.CdRomWithDataDisk)
        {
            var key = SshKeyPair.Generate("boot2isokit-verify");
            disk = Path.Combine(scratch, "disk.raw");
            UserdataDisk.Write(disk, key.AuthorizedKeyLine, options.DataDiskBytes);
            login = GuestShell.KeyLogin(User, key);
        }
        else
        {
            login = GuestShell.PasswordLogin(User, Password);
        }

        progress($"booting {Path.GetFileName(iso)} as {(disk is null ? "a hard disk" : "the CD-ROM with a docker-machine data disk")} ({options.Accelerator.ToString().ToUpperInvariant()})...");
        await using var vm = QemuLauncher.Start(qemu, iso, medium, disk, options.Accelerator, options.MemoryMegabytes, scratch, options.IsolatedNetwork);
        var clock = Stopwatch.StartNew();
        var rows = new Rows(report, boot, clock);
        try
        {
            GuestShell shell;
            try
            {
                shell = await GuestShell.ConnectAsync(vm.SshPort, User, login, options.SshTimeout, () => !vm.HasExited, t => progress($"  waiting for SSH on 127.0.0.1:{vm.SshPort}: {t.TotalSeconds:0} s"), ct).ConfigureAwait(false);
            }
            catch (GuestUnreachableException e)
            {
                var qemuError = await vm.ErrorOutputAsync().ConfigureAwait(false);
                rows.Add(disk is null ? "ssh login (password)" : "ssh login (userdata key)", false,
                    e.Message + (e.Refused && disk is not null ? ": the guest never took the key from the userdata disk" : "") + (qemuError.Length > 0 ? $"; qemu: {qemuError.Trim()}" : ""));
                report.AddConsole(boot, vm.ConsoleExcerpt());
                return;
            }

            using (shell)
            {
                report.Milestones[$"{boot}: ssh"] = clock.Elapsed;
                rows.Add(disk is null ? "ssh login (password)" : "ssh login (userdata key)", true, $"127.0.0.1:{vm.SshPort}");
                progress($"  logged in after {clock.Elapsed.TotalSeconds:0} s");
                await CheckSystemAsync(shell, facts, rows, ct).ConfigureAwait(false);
                await CheckDaemonAsync(shell, facts, rows, boot, report, clock, ct).ConfigureAwait(false);
                if (facts.Images.Count > 0)
                {
                    await CheckImagesAsync(shell, facts, rows, clock, ct).ConfigureAwait(false);
                }

                if (disk is not null)
                {
                    await CheckDataDiskAsync(shell, rows, ct).ConfigureAwait(false);
                    await CheckBannerAsync(shell, facts, rows, ct).ConfigureAwait(false);
                    foreach (var binary in facts.InjectedBinaries)
                    {
                        await CheckBinaryStartsAsync(shell, binary, rows, ct).ConfigureAwait(false);
                    }

                    foreach (var command in facts.Commands)
                    {
                        var result = await shell.RunAsync(command, CommandTimeout, ct).ConfigureAwait(false);
                        rows.Add($"verify: {command}", result.ExitCode == 0, $"exit {result.ExitCode}: {result.LastLines(2)}");
                    }
                }
            }
        }
        finally
        {
            if (rows.AnyFailed)
            {
                report.AddConsole(boot, vm.ConsoleExcerpt());
            }
        }
    }

    private static async Task CheckSystemAsync(GuestShell shell, VerificationFacts facts, Rows rows, CancellationToken ct)
    {
        var kernel = await shell.RunAsync("uname -r", CommandTimeout, ct).ConfigureAwait(false);
        var osRelease = await shell.RunAsync("cat /etc/os-release", CommandTimeout, ct).ConfigureAwait(false);
        var file = OsReleaseFile.Parse(osRelease.Output);
        var id = file["ID"];
        var version = file["VERSION"];
        var problems = new List<string>();
        if (id != "boot2docker")
        {
            problems.Add($"ID={id ?? "(missing)"}, docker-machine needs ID=boot2docker");
        }

        if (facts.StampedVersion is { } stamped && version != stamped)
        {
            problems.Add($"VERSION={version ?? "(missing)"}, the build stamped {stamped}");
        }

        rows.Add("kernel and /etc/os-release", kernel.ExitCode == 0 && problems.Count == 0,
            problems.Count > 0 ? string.Join("; ", problems) : $"kernel {kernel.FirstLine}, ID={id}, VERSION={version}");
    }

    /// <summary>The daemon the ISO's own init started: it answers docker version, and its pid file names /usr/local/bin/dockerd.</summary>
    private async Task CheckDaemonAsync(GuestShell shell, VerificationFacts facts, Rows rows, string boot, VerificationReport report, Stopwatch clock, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        GuestResult server;
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            server = await shell.RunAsync("docker version --format '{{.Server.Version}}'", CommandTimeout, ct).ConfigureAwait(false);
            if (server.ExitCode == 0 || waited.Elapsed > options.DaemonTimeout)
            {
                break;
            }

            if (waited.Elapsed - lastReport >= TimeSpan.FromSeconds(15))
            {
                lastReport = waited.Elapsed;
                progress($"  waiting for the docker daemon: {clock.Elapsed.TotalSeconds:0} s");
            }

            await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        }

        if (server.ExitCode != 0)
        {
            var log = await shell.RunAsync("sudo tail -n 8 /var/lib/boot2docker/log/docker.log /var/lib/boot2docker/docker.log 2>/dev/null", CommandTimeout, ct).ConfigureAwait(false);
            rows.Add("docker daemon (server version)", false, $"no daemon answered within {options.DaemonTimeout.TotalSeconds:0} s: {server.LastLines(1)}; docker.log: {log.LastLines(6)}");
            return;
        }

        report.Milestones[$"{boot}: daemon"] = clock.Elapsed;
        var version = server.Output.Trim();
        var exe = await shell.RunAsync("sudo readlink \"/proc/$(cat /var/run/docker.pid)/exe\"", CommandTimeout, ct).ConfigureAwait(false);
        var started = exe.Output.Trim();
        var expected = facts.EngineVersion;
        var matches = expected is null || EngineVersionMatches(version, expected);
        // A recipe's daemon: settings put a script in front of the engine's dockerd, which it execs.
        var byInit = started is "/usr/local/bin/dockerd" or Boot2IsoKit.Stages.DaemonSettings.DockerdWrapper.EnginePath;
        rows.Add("docker daemon (server version)", matches && byInit,
            $"server {version}" + (expected is null ? "" : matches ? $" = pinned {expected}" : $", but the pinned engine is {expected}")
            + (byInit ? ", started by the ISO's init from /usr/local/bin/dockerd" : $", but /var/run/docker.pid names '{started}', not /usr/local/bin/dockerd"));
    }

    /// <summary>
    /// The preloaded images are in the daemon: the loader the dockerd script starts (Stages/Images) finds the medium
    /// by its label, as a CD or as a disk, and loads them in the background, so this waits for them.
    /// </summary>
    private async Task CheckImagesAsync(GuestShell shell, VerificationFacts facts, Rows rows, Stopwatch clock, CancellationToken ct)
    {
        var inspect = "docker image inspect --format '{{.Id}}' " + string.Join(' ', facts.Images);
        var waited = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        GuestResult result;
        while (true)
        {
            result = await shell.RunAsync(inspect + " 2>&1", CommandTimeout, ct).ConfigureAwait(false);
            if (result.ExitCode == 0 || waited.Elapsed > options.ImagesTimeout)
            {
                break;
            }

            if (waited.Elapsed - lastReport >= TimeSpan.FromSeconds(15))
            {
                lastReport = waited.Elapsed;
                progress($"  waiting for the preloaded images: {clock.Elapsed.TotalSeconds:0} s");
            }

            await Task.Delay(TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
        }

        var check = $"preloaded images ({facts.Images.Count}) in the daemon";
        if (result.ExitCode == 0)
        {
            rows.Add(check, true, string.Join(", ", facts.Images.Select(i => i[..Math.Min(i.Length, 19)])) + " loaded from the ISO");
            return;
        }

        var log = await shell.RunAsync("tail -n 6 /var/log/b2ik-images.log 2>&1", CommandTimeout, ct).ConfigureAwait(false);
        rows.Add(check, false, $"not all loaded within {options.ImagesTimeout.TotalSeconds:0} s: {result.LastLines(1)}; b2ik-images.log: {log.LastLines(6)}");
    }

    /// <summary>Equal, or equal up to semver build metadata (Debian's docker.io reports 20.10.24+dfsg1).</summary>
    internal static bool EngineVersionMatches(string server, string pinned) =>
        server == pinned || server.StartsWith(pinned + "+", StringComparison.Ordinal);

    /// <summary>What docker-machine relies on: /var/lib/boot2docker lives on the ext4 partition labelled boot2docker-data.</summary>
    private static async Task CheckDataDiskAsync(GuestShell shell, Rows rows, CancellationToken ct)
    {
        // The mount whose mount point is the longest prefix of the resolved path, with its type (from
        // /proc/mounts: no df needed); the labelled partition from util-linux's blkid -L, else busybox's findfs.
        const string Script = "p=$(readlink -f /var/lib/boot2docker)/; "
            + "awk -v p=\"$p\" '{ m = ($2 == \"/\") ? \"/\" : $2 \"/\"; if (index(p, m) == 1 && length(m) > l) { l = length(m); d = $1; t = $3 } } END { print \"device=\" d; print \"type=\" t }' /proc/mounts; "
            + "echo \"label=$(sudo blkid -L boot2docker-data 2>/dev/null || sudo findfs LABEL=boot2docker-data 2>/dev/null)\"";
        var result = await shell.RunAsync(Script, CommandTimeout, ct).ConfigureAwait(false);
        var values = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        var device = values.GetValueOrDefault("device", "");
        var type = values.GetValueOrDefault("type", "");
        var labelled = values.GetValueOrDefault("label", "");
        var passed = device.StartsWith("/dev/", StringComparison.Ordinal) && type == "ext4" && labelled == device;
        rows.Add("data disk formatted, /var/lib/boot2docker on it", passed,
            $"/var/lib/boot2docker is on {(device.Length > 0 ? device : "(nothing)")} ({(type.Length > 0 ? type : "no type")}); LABEL=boot2docker-data is {(labelled.Length > 0 ? labelled : "on no device")}");
    }

    private static async Task CheckBannerAsync(GuestShell shell, VerificationFacts facts, Rows rows, CancellationToken ct)
    {
        if (facts.MotdBanner is not { } banner || banner.Trim().Length == 0)
        {
            return;
        }

        var motd = await shell.RunAsync("cat /etc/motd", CommandTimeout, ct).ConfigureAwait(false);
        var found = Normalise(motd.Output).Contains(Normalise(banner), StringComparison.Ordinal);
        rows.Add("motd banner", found, found ? $"/etc/motd has \"{FirstLine(banner)}\"" : $"/etc/motd lacks the recipe's banner \"{FirstLine(banner)}\"");
    }

    /// <summary>
    /// Runs the binary with --version: it started when the loader found every library (no exit 126/127,
    /// no "error while loading shared libraries", no signal); an unknown option's usage error still counts.
    /// </summary>
    private static async Task CheckBinaryStartsAsync(GuestShell shell, string binary, Rows rows, CancellationToken ct)
    {
        var quoted = "'" + binary.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var result = await shell.RunAsync($"{quoted} --version </dev/null 2>&1", CommandTimeout, ct).ConfigureAwait(false);
        var text = result.Output + result.Error;
        var loadError = text.Contains("error while loading shared libraries", StringComparison.Ordinal) || text.Contains("not found", StringComparison.Ordinal) && result.ExitCode == 127;
        var started = result.ExitCode is >= 0 and not 126 and not 127 and < 128 && !loadError;
        rows.Add($"injected {binary} starts", started, $"exit {result.ExitCode}: {result.LastLines(2)}");
    }

    private static string Normalise(string text) =>
        string.Join('\n', text.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0));

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";

    /// <summary>Adds rows of one boot, stamped with the time since the VM started.</summary>
    private sealed class Rows(VerificationReport report, string boot, Stopwatch clock)
    {
        public bool AnyFailed { get; private set; }

        public void Add(string check, bool passed, string detail)
        {
            AnyFailed |= !passed;
            report.Add(new VerificationRow(boot, check, passed, clock.Elapsed, detail));
        }
    }
}
