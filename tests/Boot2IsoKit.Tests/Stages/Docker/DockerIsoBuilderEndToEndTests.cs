using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Stages.Planning;
using Boot2IsoKit.Testing.Docker;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Qemu;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Stages.Planning;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Docker;

/// <summary>
/// The docker builder for real: a stand-in boot2docker image per layout (fixture rootfs and kernel in a
/// debootstrapped Debian), a plan pinning the host's real static docker client, an overlay and a motd
/// banner, built through the Engine API, and the ISO booted in QEMU.
/// </summary>
[Collection(DockerEngineTests.Name)]
public sealed class DockerIsoBuilderEndToEndTests : IDisposable
{
    private const string Banner = "\n  WARNING: Docker pinned by Boot2IsoKit's docker builder, not a boot2docker release.\n\n";
    private const string HelloScript = "50-hello";

    private readonly string _work = Path.Combine(Path.GetTempPath(), "b2ik-docker-e2e-" + Guid.NewGuid().ToString("N")[..8]);

    public DockerIsoBuilderEndToEndTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData(FixtureLayout.New)]
    [InlineData(FixtureLayout.Old)]
    public async Task The_built_ISO_boots_with_the_pinned_engine_the_overlay_and_the_banner(FixtureLayout layout)
    {
        Requires.Tools("dockerd", "qemu-system-x86_64", "debootstrap", "xorriso", "cpio", "xz", "isoinfo");
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(layout, ct: ct);
        var baseImage = await StandInImages.EnsureAsync(connection, fixture, ct: ct);
        var engine = await TestEngine.CreateAsync(Path.Combine(_work, "engine"), ct);
        var (engineTgz, engineVersion) = (engine.TgzPath, engine.Version);
        using var plan = await new TestPlanner(_work, connection).PlanAsync(
            TestPlanner.Recipe(
                "docker-e2e-" + layout.ToString().ToLowerInvariant(),
                fixture.EngineVersion,
                baseImage: baseImage,
                engineVersion: engineVersion,
                engineTgz: engineTgz,
                motd: Banner,
                volumeId: "b2d-v" + engineVersion,
                overlay: HelloOverlay(),
                output: Path.Combine(_work, "out", "boot2docker.iso")),
            Boot2IsoKit.Stages.Planning.BuilderKind.Docker);
        var steps = new List<string>();

        var result = await new DockerIsoBuilder(connection).BuildAsync(plan, Path.Combine(_work, "context"), new SyncProgress(steps.Add), ct);

        Assert.Equal(IsoExtraction.Stdout, result.Extraction);
        Assert.Equal(Path.GetFullPath(plan.OutputPath), result.IsoPath);
        Assert.Contains(steps, s => s.StartsWith("Step 1/", StringComparison.Ordinal) && s.Contains(" : FROM " + baseImage, StringComparison.Ordinal));
        Assert.Equal(result.BuildSteps, steps.Where(s => s.StartsWith("Step ", StringComparison.Ordinal)));

        // docker-machine reads 32 bytes at 0x8028 and takes the version after "-v".
        var label = ReadVolumeLabel(result.IsoPath);
        Assert.Equal(plan.Iso.VolumeLabel, label);
        Assert.Equal(engineVersion, label[(label.IndexOf("-v", StringComparison.Ordinal) + 2)..]);

        var boot = await QemuBoot.RunAsync(result.IsoPath, BootMedium.CdRom, TimeSpan.FromMinutes(4), ct);
        Assert.True(boot.ReachedDone, boot.Excerpt());
        Assert.StartsWith($"Docker version {engineVersion}, build ", boot.Section(FixtureMarkers.DockerVersion), StringComparison.Ordinal);
        var fixtureMotd = await File.ReadAllTextAsync(Path.Combine(fixture.RootfsDirectory, "etc", "motd"), ct);
        // The console section drops the one newline that ends the output.
        Assert.Equal((fixtureMotd + Banner)[..^1], boot.Section(FixtureMarkers.Motd));
        Assert.Equal("hello from the docker builder's overlay", boot.Section(HelloScript));
        var osRelease = boot.Section(FixtureMarkers.OsRelease).Split('\n');
        Assert.Contains("ID=boot2docker", osRelease);
        Assert.Contains($"VERSION={engineVersion}", osRelease);
        Assert.Contains($"VERSION_ID={engineVersion}", osRelease);
        Assert.Contains(osRelease, l => l.StartsWith($"PRETTY_NAME=\"Boot2Docker {engineVersion} (TCL ", StringComparison.Ordinal));

        if (layout == FixtureLayout.Old)
        {
            // The legacy ISO root carries the version file docker-machine users read too.
            var version = await ExternalTool.RunCheckedAsync("isoinfo", ["-R", "-i", result.IsoPath, "-x", "/version"], cancellationToken: ct);
            Assert.Equal(engineVersion + "\n", version.StandardOutput);
        }

        // Nothing of the build is left in the engine but the base images.
        var images = await connection.Client.Images.ListImagesAsync(new() { All = true }, ct);
        Assert.DoesNotContain(images, i => i.RepoTags?.Any(t => t.StartsWith("b2ik-build/", StringComparison.Ordinal)) == true);
        var containers = await connection.Client.Containers.ListContainersAsync(new() { All = true }, ct);
        Assert.DoesNotContain(containers, c => c.Image.StartsWith("b2ik-build/", StringComparison.Ordinal));
    }

    /// <summary>The layout's ISO script is part of the image contract: a new-layout plan on an old image fails in the script step and says so.</summary>
    [Fact]
    public async Task A_plan_for_the_wrong_layout_fails_at_the_ISO_script_with_the_log_tail()
    {
        Requires.Tools("dockerd", "debootstrap", "xorriso", "cpio", "xz");
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.Old, ct: ct);
        var baseImage = await StandInImages.EnsureAsync(connection, fixture, ct: ct);
        using var plan = await new TestPlanner(_work, connection).PlanAsync(
            TestPlanner.Recipe("wrong-layout", "19.03.12", baseImage: baseImage, volumeId: "b2d-v19.03.12", output: Path.Combine(_work, "out", "boot2docker.iso")),
            Boot2IsoKit.Stages.Planning.BuilderKind.Docker);

        var error = await Assert.ThrowsAsync<DockerEngineException>(
            () => new DockerIsoBuilder(connection).BuildAsync(plan, Path.Combine(_work, "context"), cancellationToken: ct));

        Assert.StartsWith("The image's ISO script failed", error.Message, StringComparison.Ordinal);
        Assert.Equal(DockerFailure.IsoScript, error.Failure);
        Assert.Contains("make-b2d-iso.sh", error.LogTail, StringComparison.Ordinal);
        Assert.False(File.Exists(plan.OutputPath));
    }

    private string HelloOverlay() => TestPlanner.Overlay(
        _work,
        (FixtureMarkers.TestScriptDirectory + "/" + HelloScript, "#!/bin/sh\necho \"hello from the docker builder's overlay\"\n", 0x1ED));

    private static string ReadVolumeLabel(string iso)
    {
        using var file = File.OpenRead(iso);
        file.Position = 0x8028;
        var bytes = new byte[32];
        file.ReadExactly(bytes);
        return Encoding.ASCII.GetString(bytes).TrimEnd(' ');
    }

    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
