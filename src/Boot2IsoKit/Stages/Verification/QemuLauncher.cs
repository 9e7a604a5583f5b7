using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>
/// Starts one QEMU VM the way docker-machine's VirtualBox driver sets one up: the ISO as the CD-ROM and a
/// data disk (or the ISO as a hard disk), a NIC with user networking whose guest port 22 is forwarded to
/// a free port on 127.0.0.1, the serial console in a file. The ISO is never written (snapshot=on).
/// </summary>
internal sealed class QemuLauncher : IAsyncDisposable
{
    /// <summary>Names the qemu-system-x86_64 binary to use instead of the one on the PATH.</summary>
    public const string EnvironmentVariable = "B2IK_QEMU";

    private readonly Process _process;
    private readonly Task<string> _stderr;

    private QemuLauncher(Process process, int sshPort, string consolePath)
    {
        _process = process;
        SshPort = sshPort;
        ConsolePath = consolePath;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The host port on 127.0.0.1 that reaches the guest's port 22.</summary>
    public int SshPort { get; }

    /// <summary>The guest's serial console (ttyS0), written while it runs.</summary>
    public string ConsolePath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>QEMU's own error output, once it has exited.</summary>
    public async Task<string> ErrorOutputAsync() => _process.HasExited ? await _stderr.ConfigureAwait(false) : "";

    /// <summary>qemu-system-x86_64 from <see cref="EnvironmentVariable"/> or the PATH.</summary>
    /// <exception cref="QemuNotFoundException">It is not installed.</exception>
    public static string FindQemu()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : throw QemuNotFoundException.Create(configured);
        }

        var name = OperatingSystem.IsWindows() ? "qemu-system-x86_64.exe" : "qemu-system-x86_64";
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        if (OperatingSystem.IsWindows())
        {
            directories = [.. directories, Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "qemu")];
        }

        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists) ?? throw QemuNotFoundException.Create(null);
    }

    /// <param name="iso">The ISO to boot.</param>
    /// <param name="medium">CD-ROM with <paramref name="dataDisk"/>, or the ISO as the hard disk.</param>
    /// <param name="dataDisk">A raw disk image (docker-machine's userdata disk) for <see cref="VmBootMedium.CdRomWithDataDisk"/>.</param>
    /// <param name="scratch">A directory this VM may write (console log, QEMU's snapshot overlay).</param>
    /// <param name="isolated">Cut the guest off every network (QEMU's user networking with restrict=on): only the forwarded SSH port reaches it.</param>
    public static QemuLauncher Start(string qemu, string iso, VmBootMedium medium, string? dataDisk, VmAccelerator accelerator, int memoryMegabytes, string scratch, bool isolated = false)
    {
        var port = FreeLoopbackPort();
        var console = Path.Combine(scratch, "console.log");
        var start = new ProcessStartInfo(qemu)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = scratch,
        };
        string[] common =
        [
            "-accel", accelerator == VmAccelerator.Kvm ? "kvm" : "tcg",
            // One vCPU, as docker-machine's VirtualBox and Hyper-V drivers default to (defaultCPU = 1 in
            // drivers/virtualbox/virtualbox.go and drivers/hyperv/hyperv.go). It also keeps TCG single-threaded:
            // with two vCPUs a guest kernel that patches its own code (static keys flipped when the clocksource
            // watchdog marks the TSC unstable) could run a stale translation and panic on a leftover int3.
            "-m", memoryMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "-smp", "1",
            "-no-reboot", "-display", "none", "-monitor", "none", "-serial", "file:" + console,
            // docker-machine's VirtualBox VMs have a NAT NIC with 22 forwarded to a host port; boot2docker's kernel has virtio-net.
            "-nic", $"user,model=virtio-net-pci{(isolated ? ",restrict=on" : "")},hostfwd=tcp:127.0.0.1:{port}-:22",
        ];
        foreach (var argument in common)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in MediumArguments(iso, medium, dataDisk))
        {
            start.ArgumentList.Add(argument);
        }

        // snapshot=on keeps its overlay in TMPDIR: keep it in the scratch directory.
        start.Environment["TMPDIR"] = scratch;
        var process = Process.Start(start) ?? throw QemuNotFoundException.Create(qemu);
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync();
        return new QemuLauncher(process, port, console);
    }

    private static string[] MediumArguments(string iso, VmBootMedium medium, string? dataDisk)
    {
        // QEMU's option syntax doubles commas inside values.
        static string Escape(string path) => path.Replace(",", ",,", StringComparison.Ordinal);
        if (medium == VmBootMedium.HardDisk)
        {
            return ["-drive", $"file={Escape(iso)},format=raw,if=ide,index=0,snapshot=on", "-boot", "c"];
        }

        ArgumentNullException.ThrowIfNull(dataDisk);
        return
        [
            "-drive", $"file={Escape(iso)},format=raw,if=ide,index=2,media=cdrom,readonly=on",
            "-drive", $"file={Escape(dataDisk)},format=raw,if=ide,index=0",
            "-boot", "d",
        ];
    }

    /// <summary>The last lines of the serial console (terminal escapes and carriage returns dropped).</summary>
    public string ConsoleExcerpt(int lines = 40)
    {
        if (!File.Exists(ConsolePath))
        {
            return "(no console output)";
        }

        using var stream = new FileStream(ConsolePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var text = ConsoleText.Clean(reader.ReadToEnd());
        var all = text.Split('\n');
        var first = Math.Max(0, all.Length - lines);
        return string.Join('\n', all[first..]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
