using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Qemu;

/// <summary>
/// Boots an ISO in QEMU (TCG: KVM hangs at ISOLINUX on the CI hosts) with the serial console in a
/// file, waits for the VM to power off, and returns the console. The ISO is never written to.
/// At most two VMs run at once in a process: CI has two cores.
/// </summary>
internal sealed partial class QemuBoot
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>After B2IK-DONE the VM should power off at once; this is how long we wait before killing it.</summary>
    private static readonly TimeSpan PowerOffGrace = TimeSpan.FromSeconds(10);

    private static readonly SemaphoreSlim Slots = new(2, 2);

    private QemuBoot()
    {
    }

    public static Task<BootResult> RunAsync(string isoPath, BootMedium medium, TimeSpan? timeout = null, CancellationToken ct = default) =>
        RunAsync(isoPath, medium, timeout, progress: null, ct);

    /// <param name="progress">Optional: told "booting X as CdRom..." when the VM starts.</param>
    public static async Task<BootResult> RunAsync(string isoPath, BootMedium medium, TimeSpan? timeout, Action<string>? progress, CancellationToken ct = default)
    {
        var iso = Path.GetFullPath(isoPath);
        if (!File.Exists(iso))
        {
            throw new FileNotFoundException($"No ISO to boot at {iso}.", iso);
        }

        var qemu = ExternalTool.Find("qemu-system-x86_64") ?? throw new MissingToolException("qemu-system-x86_64");
        await Slots.WaitAsync(ct).ConfigureAwait(false);
        var scratch = Directory.CreateTempSubdirectory("b2ik-qemu-").FullName;
        try
        {
            var log = Path.Combine(scratch, "console.log");
            progress?.Invoke($"booting {Path.GetFileName(iso)} as {medium}...");
            var timedOut = await RunVmAsync(qemu, Arguments(iso, medium, log), log, timeout ?? DefaultTimeout, scratch, ct).ConfigureAwait(false);
            var console = File.Exists(log) ? Clean(await File.ReadAllBytesAsync(log, CancellationToken.None).ConfigureAwait(false)) : "";
            return new BootResult(console, HasDoneLine(console), timedOut);
        }
        finally
        {
            Slots.Release();
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static List<string> Arguments(string iso, BootMedium medium, string log)
    {
        List<string> arguments =
        [
            "-accel", "tcg", "-m", "512", "-no-reboot",
            "-display", "none", "-monitor", "none", "-serial", "file:" + log,
        ];
        if (medium == BootMedium.CdRom)
        {
            arguments.AddRange(["-cdrom", iso, "-boot", "d"]);
        }
        else
        {
            // snapshot=on: guest writes go to a temporary overlay, the ISO stays untouched.
            // QEMU's option syntax doubles commas inside values.
            arguments.AddRange(["-drive", $"file={iso.Replace(",", ",,", StringComparison.Ordinal)},format=raw,if=ide,snapshot=on", "-boot", "c"]);
        }

        return arguments;
    }

    /// <summary>Runs the VM until it powers off (false) or the timeout kills it (true).</summary>
    private static async Task<bool> RunVmAsync(string qemu, List<string> arguments, string log, TimeSpan timeout, string scratch, CancellationToken ct)
    {
        var start = new ProcessStartInfo(qemu)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = scratch,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // snapshot=on keeps its overlay in TMPDIR: keep it in our scratch directory.
        start.Environment["TMPDIR"] = scratch;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {qemu}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var clock = Stopwatch.StartNew();
        TimeSpan? doneAt = null;
        try
        {
            while (!process.HasExited)
            {
                if (clock.Elapsed > timeout)
                {
                    return true;
                }

                if (doneAt is null && LogShowsDone(log))
                {
                    doneAt = clock.Elapsed;
                }
                else if (doneAt is not null && clock.Elapsed - doneAt > PowerOffGrace)
                {
                    return false;
                }

                try
                {
                    await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Poll the console again.
                }
            }

            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            if (process.ExitCode != 0 && !LogShowsDone(log))
            {
                throw new InvalidOperationException($"qemu-system-x86_64 exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}");
            }

            return false;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static bool LogShowsDone(string log)
    {
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var tail = new byte[Math.Min(stream.Length, 4096)];
            stream.Seek(-tail.Length, SeekOrigin.End);
            stream.ReadExactly(tail);
            return Encoding.UTF8.GetString(tail).Contains(FixtureMarkers.Done, StringComparison.Ordinal);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    private static bool HasDoneLine(string console) =>
        console.Split('\n').Any(line => line.Trim() == FixtureMarkers.Done);

    /// <summary>Decodes the console, drops terminal escape sequences (ISOLINUX's menu) and carriage returns.</summary>
    private static string Clean(byte[] bytes) =>
        EscapeSequence().Replace(Encoding.UTF8.GetString(bytes), "").Replace("\r", "", StringComparison.Ordinal);

    [GeneratedRegex(@"\x1B(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")]
    private static partial Regex EscapeSequence();
}
