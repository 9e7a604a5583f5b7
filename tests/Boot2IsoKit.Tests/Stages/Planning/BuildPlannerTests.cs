using Boot2IsoKit.Formats.OsRelease;
using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Planning;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Planning;

/// <summary>
/// The planner on real inputs (fixture ISOs, a packed engine tgz): the plan is the whole contract, so what
/// a builder writes can be read off it.
/// </summary>
public sealed class BuildPlannerTests : IDisposable
{
    private const string Banner = "\n  WARNING: planned by a test.\n";
    private readonly string _work = Directory.CreateTempSubdirectory("b2ik-planner-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_native_plan_holds_the_engine_the_stamped_files_and_the_label()
    {
        Requires.Tools("debootstrap", "xorriso", "cpio", "xz");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await TestEngine.CreateAsync(Path.Combine(_work, "engine"), ct);

        using var plan = await new TestPlanner(_work).PlanAsync(
            TestPlanner.Recipe("planned", "19.03.12", baseIso: fixture.IsoPath, engineVersion: engine.Version, engineTgz: engine.TgzPath, motd: Banner),
            BuilderKind.Native);

        Assert.IsType<BuildBase.IsoFile>(plan.Base);
        Assert.Equal("b2d-v" + engine.Version, plan.Iso.VolumeLabel);
        Assert.Equal(TestPlanner.SourceDate, plan.Iso.UnixTime);
        Assert.Empty(plan.Iso.RootFiles);
        Assert.True(plan.Delta.TryGet("usr/local/bin/docker", out var docker));
        Assert.Equal(0x1ED, docker.Permissions);
        Assert.Contains("docker", plan.Engine!.BinaryNames);

        var osRelease = OsReleaseFile.Parse(Text(plan, "etc/os-release"));
        Assert.Equal(engine.Version, osRelease["VERSION"]);
        Assert.Equal("boot2docker", osRelease["ID"]);
        var baseMotd = await File.ReadAllTextAsync(Path.Combine(fixture.RootfsDirectory, "etc", "motd"), ct);
        Assert.Equal(VersionStamp.MotdText(baseMotd, Banner), Text(plan, "etc/motd"));
        Assert.False(plan.Delta.TryGet("etc/version", out _));
        Assert.All(plan.Delta.Entries, e => Assert.Equal(TestPlanner.SourceDate, e.ModificationTime));
    }

    [Fact]
    public async Task An_old_layout_plan_stamps_etc_version_and_the_ISO_root_version()
    {
        Requires.Tools("debootstrap", "xorriso", "cpio", "xz");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.Old, ct: ct);
        var engine = await TestEngine.CreateAsync(Path.Combine(_work, "engine"), ct);

        using var plan = await new TestPlanner(_work).PlanAsync(
            TestPlanner.Recipe("old", "18.06.1-ce", baseIso: fixture.IsoPath, engineVersion: engine.Version, engineTgz: engine.TgzPath),
            BuilderKind.Native);

        Assert.Equal(engine.Version + "\n", Text(plan, "etc/version"));
        Assert.Equal(engine.Version + "\n", plan.Iso.RootFiles["version"]);
        Assert.False(plan.Delta.TryGet("etc/motd", out _)); // no banner, no motd change
    }

    /// <summary>Later additions win, as later initramfs members do: an overlay's docker is replaced by the pinned engine's.</summary>
    [Fact]
    public async Task The_engine_replaces_an_overlay_file_at_the_same_path()
    {
        Requires.Tools("debootstrap", "xorriso", "cpio", "xz");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await TestEngine.CreateAsync(Path.Combine(_work, "engine"), ct);
        var overlay = TestPlanner.Overlay(_work, ("usr/local/bin/docker", "#!/bin/sh\necho overlay\n", 0x1ED), ("etc/b2ik-kept", "kept\n", 0x1A4));

        using var plan = await new TestPlanner(_work).PlanAsync(
            TestPlanner.Recipe("order", "19.03.12", baseIso: fixture.IsoPath, engineVersion: engine.Version, engineTgz: engine.TgzPath, overlay: overlay),
            BuilderKind.Native);

        Assert.True(plan.Delta.TryGet("usr/local/bin/docker", out var docker));
        Assert.StartsWith("engine tgz", docker.Origin, StringComparison.Ordinal);
        Assert.Equal("kept\n", Text(plan, "etc/b2ik-kept"));
    }

    /// <summary>A docker plan without a base ISO stamps from the base image's own files, and names the image.</summary>
    [Fact]
    public async Task A_docker_plan_without_a_base_ISO_stamps_from_the_image_files()
    {
        var image = new ImageFiles(new Dictionary<string, string>
        {
            ["etc/os-release"] = "NAME=Boot2Docker\nVERSION=19.03.12\nID=boot2docker\nPRETTY_NAME=\"Boot2Docker 19.03.12 (TCL 10.1)\"\n",
            ["etc/motd"] = "image motd",
        });
        var planner = new BuildPlanner(
            new CachedInputResolver(new InputCacheStore(Path.Combine(_work, "cache"), null, offline: true), new BaseIndexCache(Path.Combine(_work, "index"))),
            new DebianPackageSource(Path.Combine(_work, "debian"), new Boot2IsoKit.Inputs.Downloads.Downloader(new Boot2IsoKit.Inputs.Downloads.DownloaderOptions())),
            new PlannerSettings(_work, _work, TestPlanner.SourceDate, PipelineLog.Silent),
            image);

        using var plan = await planner.PlanAsync(TestPlanner.Recipe("image", "19.03.12", baseImage: "b2ik-test/base:1", motd: Banner), BuilderKind.Docker, TestContext.Current.CancellationToken);

        Assert.Equal(new BuildBase.Image("b2ik-test/base:1"), plan.Base);
        Assert.Equal(["b2ik-test/base:1 etc/os-release", "b2ik-test/base:1 etc/motd"], image.Asked);
        Assert.Equal("image motd\n" + Banner, Text(plan, "etc/motd"));
        Assert.Contains("PRETTY_NAME=\"Boot2Docker 19.03.12 (TCL 10.1)\"", Text(plan, "etc/os-release"), StringComparison.Ordinal);
        Assert.Equal("b2d-v19.03.12", plan.Iso.VolumeLabel);
    }

    /// <summary>Offline, the base and the engine are both checked before one error names every missing input and how to get it.</summary>
    [Fact]
    public async Task Offline_every_missing_input_is_named_in_one_error()
    {
        var planner = new TestPlanner(_work);
        var recipe = TestPlanner.Recipe("offline", "19.03.12", engineVersion: "20.10.24") with
        {
            Engine = new EngineSpec("20.10.24", null, null, null, null, new Dictionary<string, string>()),
        };

        var error = await Assert.ThrowsAsync<MissingInputsException>(() => planner.PlanAsync(recipe, BuilderKind.Native));

        Assert.Contains(error.Missing, m => m.Kind == InputKinds.BaseIso);
        Assert.Contains(error.Missing, m => m.Kind != InputKinds.BaseIso && m.Url.AbsoluteUri.Contains("docker-20.10.24", StringComparison.Ordinal));
        Assert.Contains("--base-iso", error.Message, StringComparison.Ordinal);
        Assert.Contains("--engine-tgz", error.Message, StringComparison.Ordinal);
        Assert.Contains("--target=Fetch", error.Message, StringComparison.Ordinal);
    }

    private static string Text(BuildPlan plan, string path)
    {
        Assert.True(plan.Delta.TryGet(path, out var entry), $"the plan has no /{path}");
        using var stream = entry.Content!.OpenRead();
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Stands in for the Engine API's archive endpoint: answers from a table and records what was asked.</summary>
    private sealed class ImageFiles(IReadOnlyDictionary<string, string> files) : IBaseImageFiles
    {
        public List<string> Asked { get; } = [];

        public Task<string?> ReadTextAsync(string image, string rootfsPath, CancellationToken cancellationToken = default)
        {
            Asked.Add($"{image} {rootfsPath}");
            return Task.FromResult(files.GetValueOrDefault(rootfsPath));
        }
    }
}
