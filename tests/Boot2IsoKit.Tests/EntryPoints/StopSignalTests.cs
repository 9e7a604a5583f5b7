using System.Security.Cryptography;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.EntryPoints;

/// <summary>Ctrl-C and SIGTERM stop a real <c>./build.sh --target=ExperimentalIso</c> mid-build, cleanly.</summary>
[Collection(EntryPointTests.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StopSignalTests : IDisposable
{
    // Generous on purpose: the goal (stopped within 2 s) is measured, not asserted; this only says "it stopped".
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(8);

    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-stop-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_signal_mid_build_stops_it_removes_its_scratch_and_leaves_the_previous_output(string signal)
    {
        var ct = TestContext.Current.CancellationToken;
        var root = RepositoryRoot.Find();
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await TestEngine.CreateWithDockerdNameAsync(Path.Combine(_directory, "engine"), ct);
        var output = Path.Combine(_directory, "out", "boot2docker.iso");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var previous = RandomNumberGenerator.GetBytes(64 * 1024);
        await File.WriteAllBytesAsync(output, previous, ct);

        using var build = BuildProcess.Start(root, ["--target=ExperimentalIso", $"--base-iso={fixture.IsoPath}", $"--engine-tgz={engine.TgzPath}", $"--engine-version={engine.Version}", $"--output={output}"]);
        // Mid-build: the remaster has made its scratch beside the output.
        var scratch = await WaitForAsync(() => Directory.EnumerateDirectories(Path.GetDirectoryName(output)!, ".b2ik-*.tmp").ToList() is { Count: > 0 } found ? found : null, build, StartLimit);
        var work = WorkDirectoriesOf(root, build.SessionPids());
        await build.SignalGroupAsync(signal);
        var (exitCode, log) = await build.WaitAsync(StopLimit);

        Assert.True(exitCode != 0, log);
        Assert.True(log.Contains($"Stopped by SIG{signal}", StringComparison.Ordinal), $"no 'Stopped by SIG{signal}' in the build's output:\n{log}");
        Assert.NotEmpty(work);
        Assert.All(scratch.Concat(work), path => Assert.False(Directory.Exists(path), $"{path} is still there:\n{log}"));
        Assert.Equal(previous, await File.ReadAllBytesAsync(output, ct));
        Assert.Equal([Path.GetFileName(output)], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    /// <summary>
    /// SIGKILL gives no chance to clean up: the scratch stays, and the next build finds it (its lock is
    /// free once the process is gone), removes it and says so in one line.
    /// </summary>
    [Fact]
    public async Task Scratch_left_by_a_killed_build_is_removed_by_the_next_build()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = RepositoryRoot.Find();
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await TestEngine.CreateWithDockerdNameAsync(Path.Combine(_directory, "engine"), ct);
        var output = Path.Combine(_directory, "out", "boot2docker.iso");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        string[] arguments = ["--target=ExperimentalIso", $"--base-iso={fixture.IsoPath}", $"--engine-tgz={engine.TgzPath}", $"--engine-version={engine.Version}", $"--output={output}"];

        List<string> left;
        List<string> besideOutput;
        using (var killed = BuildProcess.Start(root, arguments))
        {
            var scratch = await WaitForAsync(() => Directory.EnumerateDirectories(Path.GetDirectoryName(output)!, ".b2ik-*.tmp").ToList() is { Count: > 0 } found ? found : null, killed, StartLimit);
            besideOutput = scratch;
            left = [.. scratch, .. WorkDirectoriesOf(root, killed.SessionPids())];
            await killed.SignalGroupAsync("KILL");
            await killed.WaitAsync(StopLimit);
        }

        Assert.All(left, path => Assert.True(Directory.Exists(path), $"{path} was removed although the build was killed"));
        using var next = BuildProcess.Start(root, arguments);
        var (exitCode, log) = await next.WaitAsync(StartLimit);

        Assert.True(exitCode == 0, log);
        Assert.All(left, path => Assert.False(Directory.Exists(path), $"{path} is still there:\n{log}"));
        // The scratch beside the output is this test's alone: the next build removed it and named it. The run's directory
        // under artifacts/work/ is gone too, but any pipeline of another test running meanwhile may be the one that took it.
        Assert.All(besideOutput, path => Assert.Contains(path, log, StringComparison.Ordinal));
        Assert.Contains("left by killed runs", log, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
    }

    /// <summary>The run's private directories under artifacts/work/ (named …-PID-…).</summary>
    private static List<string> WorkDirectoriesOf(string root, IReadOnlyList<int> pids)
    {
        var work = Path.Combine(root, "artifacts", "work");
        return Directory.Exists(work)
            ? [.. Directory.EnumerateDirectories(work).Where(d => pids.Any(pid => Path.GetFileName(d).Contains($"-{pid}-", StringComparison.Ordinal)))]
            : [];
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, BuildProcess build, TimeSpan limit)
        where T : class
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } found)
            {
                return found;
            }

            if (build.HasExited)
            {
                var (code, log) = await build.WaitAsync(TimeSpan.FromSeconds(5));
                Assert.Fail($"build.sh ended (exit code {code}) before the point the test waits for:\n{log}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"the build did not reach the awaited point within {limit}");
    }
}
