using System.Formats.Tar;
using System.IO.Compression;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.Iso9660.Building;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Remaster;

/// <summary>Bad inputs stop the native build with an error naming the input, and leave no output or temporary file behind.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RemasterBadInputTests : IDisposable
{
    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static async Task<FixtureIso> FixtureAsync()
    {
        Requires.Tools("xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        return await FixtureIsos.GetAsync(FixtureLayout.New, ct: TestContext.Current.CancellationToken);
    }

    private string Recipe(string baseIso, string? engineTgz = null, string engineVersion = "20.10.24") => _harness.WriteRecipe($$"""
        name: bad-input
        base:
          iso: {{baseIso}}
        {{(engineTgz is null ? "" : $"engine:\n  version: {engineVersion}\n  tgz: {engineTgz}\n")}}
        """);

    /// <summary>The base with its initrd replaced (or removed, when <paramref name="initrd"/> is null).</summary>
    private string BaseWithInitrd(FixtureIso fixture, byte[]? initrd)
    {
        using var image = IsoImage.Open(fixture.IsoPath);
        var builder = IsoBuilder.FromImage(image);
        if (initrd is null)
        {
            builder.Remove("boot/initrd.img");
        }
        else
        {
            builder.AddFile("boot/initrd.img", new BytesContent(initrd, "bad initrd"));
        }

        var path = _harness.Path("base.iso");
        builder.BuildToFile(path);
        return path;
    }

    private void AssertNothingWritten()
    {
        Assert.False(File.Exists(_harness.Path("out.iso")), "a partial output was left");
        Assert.Empty(Directory.GetFileSystemEntries(_harness.Directory, ".b2ik-*"));
    }

    [Fact]
    public async Task A_base_without_an_initrd_is_refused()
    {
        var baseIso = BaseWithInitrd(await FixtureAsync(), initrd: null);

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => _harness.BuildAsync(Recipe(baseIso)));

        Assert.Contains("initrd", error.Message, StringComparison.Ordinal);
        Assert.Equal(baseIso, error.Input);
        AssertNothingWritten();
    }

    [Fact]
    public async Task An_initrd_of_unknown_compression_is_refused()
    {
        var baseIso = BaseWithInitrd(await FixtureAsync(), "BZh91AY&SY not really anything"u8.ToArray());

        var error = await Assert.ThrowsAsync<Boot2IsoKit.Formats.Initramfs.InvalidCpioException>(() => _harness.BuildAsync(Recipe(baseIso)));

        Assert.Contains("initrd.img", error.Input, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task A_corrupt_engine_tgz_is_refused()
    {
        var fixture = await FixtureAsync();
        var tgz = _harness.Path("docker-20.10.24.tgz");
        await File.WriteAllBytesAsync(tgz, [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4], TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<Boot2IsoKit.Inputs.Engines.InvalidEngineTarballException>(() => _harness.BuildAsync(Recipe(fixture.IsoPath, tgz)));

        Assert.Equal(tgz, error.Input);
        AssertNothingWritten();
    }

    [Fact]
    public async Task An_engine_tgz_with_a_path_leaving_its_directory_is_refused()
    {
        var fixture = await FixtureAsync();
        var tgz = _harness.Path("docker-20.10.24.tgz");
        await using (var file = File.Create(tgz))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "docker/../../etc/passwd") { DataStream = new MemoryStream("root::0:0::/:/bin/sh\n"u8.ToArray()) };
            await tar.WriteEntryAsync(entry, TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAsync<Boot2IsoKit.Inputs.Engines.InvalidEngineTarballException>(() => _harness.BuildAsync(Recipe(fixture.IsoPath, tgz)));

        Assert.Contains("..", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task A_version_whose_label_exceeds_32_bytes_is_refused_with_the_docker_machine_consequence()
    {
        var fixture = await FixtureAsync();
        var engine = await Boot2IsoKit.Testing.Engines.TestEngine.CreateAsync(_harness.Path("engine"), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<Boot2IsoKit.Stages.MachineCache.InvalidVolumeLabelException>(() =>
            _harness.BuildAsync(Recipe(fixture.IsoPath, engine.TgzPath, "0.0.0-20260101120000-bc76fbb")));

        Assert.Contains("32", error.Message, StringComparison.Ordinal);
        Assert.Contains("docker-machine", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }
}
