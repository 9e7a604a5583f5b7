using System.Security.Cryptography;
using Boot2IsoKit.Formats.DockerArchive;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.DaemonSettings;
using Boot2IsoKit.Stages.Images;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Images;

/// <summary>
/// images: through the native builder, without booting: the archive is a file of the ISO's own file system (read
/// back by bsdtar, byte for byte), the rootfs has the loader with the label the ISO really has and the set's ID the
/// medium carries, dockerd's script is in front of the engine; a recipe without a pinned engine and a broken
/// archive stop the build before anything is written.
/// </summary>
[Collection(Boot2IsoKit.Tests.Stages.Docker.DockerEngineTests.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BakedImagesTests : IAsyncLifetime
{
    private readonly RemasterHarness _harness = new();
    private readonly string _tag = $"b2ik-test/baked-{Guid.NewGuid():N}"[..34] + ":1";
    private string _archive = "";

    public async ValueTask InitializeAsync()
    {
        Requires.Tools("docker", "busybox", "tar", "xorriso", "cpio", "xz", "depmod", "bsdtar");
        await TestImages.CreateRunnableAsync(_harness.Directory, _tag, TestContext.Current.CancellationToken);
        _archive = _harness.Path("saved.tar");
        await TestImages.SaveAsync(_tag, _archive, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await TestImages.RemoveAsync(_tag);
        _harness.Dispose();
    }

    [Fact]
    public async Task The_archive_rides_on_the_iso_and_the_rootfs_has_the_loader_that_finds_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await TestEngine.CreateWithDockerdNameAsync(_harness.Path("engine"), ct);
        var recipe = _harness.WriteRecipe($"name: baked\nbase:\n  iso: {fixture.IsoPath}\nengine:\n  version: {engine.Version}\n  tgz: {engine.TgzPath}\nimages:\n  - archive: {_archive}\n");

        var record = await _harness.BuildAsync(recipe);

        var onIso = (await ExternalTool.RunCheckedAsync("bsdtar", ["-tf", record.Iso, BakedImages.MediumDirectory], cancellationToken: ct)).StandardOutput;
        var name = onIso.Split('\n').Single(l => l.EndsWith(".tar", StringComparison.Ordinal));
        Assert.Matches(@"^b2ik/images/01-baked-[0-9a-f]+-1\.tar$", name);
        var extracted = _harness.Path("extracted");
        Directory.CreateDirectory(extracted);
        await ExternalTool.RunCheckedAsync("bsdtar", ["-xf", record.Iso, "-C", extracted, name, BakedImages.MediumDirectory + "/SET"], cancellationToken: ct);
        Assert.Equal(Sha256(_archive), Sha256(Path.Combine(extracted, name)));

        var rootfs = BuiltRootfs.Read(record.Iso);
        Assert.Equal(record.Label + "\n", rootfs.ReadAllText(BakedImages.SettingsDirectory + "/label"));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(extracted, BakedImages.MediumDirectory, "SET"), ct), rootfs.ReadAllText(BakedImages.SettingsDirectory + "/set"));
        Assert.Equal(Path.GetFileName(name) + "\n", rootfs.ReadAllText(BakedImages.SettingsDirectory + "/archives"));
        Assert.Equal(0x1ED, rootfs.Find(BakedImages.LoaderPath)!.Header.Mode & 0xFFF);
        Assert.Contains("load-images", rootfs.ReadAllText(DockerdWrapper.DaemonPath), StringComparison.Ordinal);
        Assert.NotNull(rootfs.Find(DockerdWrapper.EnginePath));

        // The record tells Verify which image IDs the daemon must have.
        Assert.Equal([Assert.Single(DockerArchiveReader.Read(_archive, ct)).ImageId], record.Verify!.Images);
    }

    [Fact]
    public async Task Without_a_pinned_engine_the_build_stops_at_the_images_line()
    {
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: TestContext.Current.CancellationToken);
        var recipe = _harness.WriteRecipe($"name: no-engine\nbase:\n  iso: {fixture.IsoPath}\nimages:\n  - archive: {_archive}\n");

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => _harness.BuildAsync(recipe));

        Assert.Equal((recipe, "line 5"), (error.Input, error.Location));
        Assert.Contains("need a pinned engine with a dockerd", error.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("out.iso")));
    }

    [Fact]
    public async Task A_truncated_archive_stops_the_build_naming_the_file_and_nothing_is_written()
    {
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await TestEngine.CreateWithDockerdNameAsync(_harness.Path("engine"), ct);
        var truncated = _harness.Path("truncated.tar");
        var bytes = await File.ReadAllBytesAsync(_archive, ct);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length * 2 / 3)], ct);
        var recipe = _harness.WriteRecipe($"name: truncated\nbase:\n  iso: {fixture.IsoPath}\nengine:\n  version: {engine.Version}\n  tgz: {engine.TgzPath}\nimages:\n  - archive: {truncated}\n");

        var error = await Assert.ThrowsAsync<InvalidDockerArchiveException>(() => _harness.BuildAsync(recipe));

        Assert.Equal(truncated, error.Input);
        Assert.Contains("truncated", error.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("out.iso")));
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
