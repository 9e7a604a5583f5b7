using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Pipeline;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Remaster;

/// <summary>
/// A full disk on the output side is reported as that: the output path, about how much the build needs
/// and how much is free; the engine tgz is not called unreadable. The disk is a small tmpfs the test mounts.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DiskFullTests : IAsyncLifetime
{
    private const long DiskBytes = 8L * 1024 * 1024;

    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-diskfull-").FullName;
    private string? _mounted;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_mounted is not null)
        {
            await ExternalTool.RunAsync("umount", [_mounted]);
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_full_output_disk_names_the_output_the_space_needed_and_free_and_not_the_input()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Requires.Missing("mounting a small tmpfs needs root");
            return;
        }

        Requires.Tools("mount", "umount");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await TestEngine.CreateWithDockerdNameAsync(Path.Combine(_directory, "engine"), ct);
        var disk = Directory.CreateDirectory(Path.Combine(_directory, "disk")).FullName;
        await ExternalTool.RunCheckedAsync("mount", ["-t", "tmpfs", "-o", $"size={DiskBytes}", "tmpfs", disk], cancellationToken: ct);
        _mounted = disk;
        var previous = Path.Combine(disk, "boot2docker.iso");
        await File.WriteAllTextAsync(previous, "previous build", ct);

        var arguments = new Dictionary<string, string>
        {
            ["base-iso"] = fixture.IsoPath,
            ["engine-tgz"] = engine.TgzPath,
            ["engine-version"] = engine.Version,
            ["output"] = previous,
        };
        var context = new PipelineContext(RepositoryRoot.Find(), _directory, PipelineArguments.Read(arguments), PipelineLog.Silent);
        using var pipeline = new IsoPipeline(context);
        var error = await Assert.ThrowsAsync<OutputWriteException>(() => pipeline.BuildAsync("recipes/experimental.yml", ct));

        Assert.StartsWith(disk, error.Path, StringComparison.Ordinal);
        Assert.Contains(error.Path, error.Message, StringComparison.Ordinal);
        Assert.True(error.NeededBytes > DiskBytes, $"needed {error.NeededBytes}");
        Assert.InRange(error.FreeBytes!.Value, 0, DiskBytes);
        Assert.Contains("MiB is free", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not a readable", error.Message, StringComparison.Ordinal);
        Assert.IsNotAssignableFrom<InvalidEngineTarballException>(error.InnerException);
        Assert.Equal("previous build", await File.ReadAllTextAsync(previous, ct));
        Assert.Equal([Path.GetFileName(previous)], Directory.EnumerateFileSystemEntries(disk).Select(Path.GetFileName));
    }
}
