using System.Diagnostics;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.EntryPoints;

/// <summary>
/// <c>./build.sh</c> as a user's terminal runs it: in a session and process group of its own (so a signal
/// can go to the whole group, as Ctrl-C does), with SIGINT at its default disposition even when the test
/// host was started with it ignored (as background jobs of a non-interactive shell are).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class BuildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;

    private BuildProcess(Process process)
    {
        _process = process;
        // One reader for both streams (2>&1 in the command), so neither pipe fills and blocks the build.
        _output = process.StandardOutput.ReadToEndAsync();
    }

    /// <summary>The process group's id (the session leader's pid).</summary>
    public int Id => _process.Id;

    public static BuildProcess Start(string repositoryRoot, IEnumerable<string> arguments)
    {
        Requires.Tools("setsid", "env", "kill", "bash");
        var start = new ProcessStartInfo(ExternalTool.Find("setsid")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryRoot,
        };
        foreach (var argument in (string[])["env", "--default-signal=INT", "bash", "-c", "exec ./build.sh \"$@\" 2>&1", "build.sh", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return new BuildProcess(process);
    }

    /// <summary>The pids of every process in the build's session (the dotnet host, Cake, their children).</summary>
    public IReadOnlyList<int> SessionPids()
    {
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces, so split after ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture) == Id)
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return pids;
    }

    /// <summary>Sends <paramref name="signal"/> (INT, TERM, KILL) to the whole process group, as a terminal does.</summary>
    public async Task SignalGroupAsync(string signal) =>
        await ExternalTool.RunCheckedAsync("kill", [$"-{signal}", "--", $"-{Id}"]);

    /// <summary>Waits for the exit; returns the exit code and everything the build printed.</summary>
    public async Task<(int ExitCode, string Output)> WaitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"build.sh did not end within {limit} of being told to");
        }

        return (_process.ExitCode, await _output);
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
