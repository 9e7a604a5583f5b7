using System.IO.Compression;
using System.Text.Json;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.Bundle;
using Boot2IsoKit.Stages.MachineCache;
using Boot2IsoKit.Testing.Bundle;
using Boot2IsoKit.Testing.MachineCache;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Bundle;

public sealed class BundleWriterTests : IDisposable
{
    private static readonly DateTimeOffset Time = DateTimeOffset.FromUnixTimeSeconds(1_000_000_000); // 2001-09-09 01:46:40 UTC
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-bundle-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<BundleResult> WriteAsync(string output, string label = "b2d-v20.10.24")
    {
        var iso = Path.Combine(_directory, "input.iso");
        if (!File.Exists(iso))
        {
            iso = await SmallIso.BuildAsync(_directory, "input", label, elTorito: true, payload: 200_000, cancellationToken: Cancel);
        }

        return BundleWriter.Write(new BundleRequest
        {
            IsoPath = iso,
            Name = "b2d-test",
            OutputDirectory = Path.Combine(_directory, output),
            Timestamp = Time,
            Provenance = new IsoProvenance
            {
                Recipe = "experimental",
                EngineVersion = "20.10.24",
                Versions = new Dictionary<string, string> { ["boot2docker"] = "v19.03.12" },
                Inputs = new Dictionary<string, string> { ["docker-20.10.24.tgz"] = new string('a', 64) },
            },
        });
    }

    private static readonly string[] Entries =
        ["b2d-test/", "b2d-test/boot2docker.iso", "b2d-test/SHA256SUMS", "b2d-test/manifest.json", "b2d-test/seed.sh", "b2d-test/seed.ps1", "b2d-test/README.txt"];

    [Fact]
    public async Task The_tar_gz_and_the_zip_unpack_with_real_tools_to_the_same_verified_files()
    {
        Requires.Tools("xorriso", "tar", "bsdtar", "sha256sum");
        var result = await WriteAsync("out");
        var fromTar = Directory.CreateDirectory(Path.Combine(_directory, "tar")).FullName;
        var fromZip = Directory.CreateDirectory(Path.Combine(_directory, "zip")).FullName;

        var listing = await ExternalTool.RunCheckedAsync("tar", ["-tzf", result.TarGzPath], cancellationToken: Cancel);
        await ExternalTool.RunCheckedAsync("tar", ["-xzf", result.TarGzPath, "-C", fromTar], cancellationToken: Cancel);
        await ExternalTool.RunCheckedAsync("bsdtar", ["-xf", result.ZipPath, "-C", fromZip], cancellationToken: Cancel);

        Assert.Equal(Entries, listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using (var zip = ZipFile.OpenRead(result.ZipPath))
        {
            Assert.Equal(Entries, zip.Entries.Select(e => e.FullName));
        }

        foreach (var root in new[] { fromTar, fromZip })
        {
            var bundle = Path.Combine(root, "b2d-test");
            var check = await ExternalTool.RunCheckedAsync("sha256sum", ["-c", "SHA256SUMS"], bundle, cancellationToken: Cancel);
            Assert.Equal("boot2docker.iso: OK\nmanifest.json: OK\n", check.StandardOutput);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_directory, "input.iso"), Cancel), await File.ReadAllBytesAsync(Path.Combine(bundle, "boot2docker.iso"), Cancel));
            var scripts = Path.Combine(Pwsh.RepositoryRoot(), "src", "Boot2IsoKit", "Stages", "Bundle", "Scripts");
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(scripts, "seed.sh"), Cancel), await File.ReadAllBytesAsync(Path.Combine(bundle, "seed.sh"), Cancel));
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(scripts, "seed.ps1"), Cancel), await File.ReadAllBytesAsync(Path.Combine(bundle, "seed.ps1"), Cancel));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(bundle, "seed.sh")));
                Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(bundle, "seed.ps1")));
                Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Path.Combine(bundle, "boot2docker.iso")));
            }
        }

        Assert.Equal(
            Directory.GetFiles(Path.Combine(fromTar, "b2d-test")).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(fromZip, "b2d-test")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_manifest_records_the_ISO_label_and_provenance()
    {
        Requires.Tools("xorriso", "sha256sum");
        var result = await WriteAsync("out");
        var iso = Path.Combine(_directory, "input.iso");
        var sum = await ExternalTool.RunCheckedAsync("sha256sum", [iso], cancellationToken: Cancel);

        using var zip = ZipFile.OpenRead(result.ZipPath);
        using var reader = new StreamReader(zip.GetEntry("b2d-test/manifest.json")!.Open());
        var manifest = JsonSerializer.Deserialize<IsoManifest>(await reader.ReadToEndAsync(Cancel))!;

        Assert.Equal(sum.StandardOutput[..64], manifest.Sha256);
        Assert.Equal(new FileInfo(iso).Length, manifest.Size);
        Assert.Equal(("b2d-v20.10.24", "v20.10.24", "experimental", "20.10.24"), (manifest.VolumeId, manifest.LabelVersion, manifest.Recipe, manifest.EngineVersion));
        Assert.Equal(new string('a', 64), manifest.Inputs["docker-20.10.24.tgz"]);
        Assert.Equal("v19.03.12", manifest.Versions["boot2docker"]);
        Assert.Equal(result.Manifest, manifest with { Versions = result.Manifest.Versions, Inputs = result.Manifest.Inputs });
        using var readme = new StreamReader(zip.GetEntry("b2d-test/README.txt")!.Open());
        Assert.Contains("REPLACES", await readme.ReadToEndAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_twice_gives_identical_archives_stamped_with_the_given_time()
    {
        Requires.Tools("xorriso", "tar");
        var first = await WriteAsync("one");
        var second = await WriteAsync("two");

        Assert.Equal(await File.ReadAllBytesAsync(first.TarGzPath, Cancel), await File.ReadAllBytesAsync(second.TarGzPath, Cancel));
        Assert.Equal(await File.ReadAllBytesAsync(first.ZipPath, Cancel), await File.ReadAllBytesAsync(second.ZipPath, Cancel));
        var verbose = await ExternalTool.RunCheckedAsync("tar", ["--utc", "--numeric-owner", "-tvzf", first.TarGzPath], cancellationToken: Cancel);
        var lines = verbose.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.All(lines, line => Assert.Contains(" 0/0 ", line, StringComparison.Ordinal));
        Assert.All(lines, line => Assert.Contains("2001-09-09 01:46", line, StringComparison.Ordinal));
        Assert.StartsWith("-rwxr-xr-x", lines.Single(l => l.EndsWith("/seed.sh", StringComparison.Ordinal)), StringComparison.Ordinal);
        using var zip = ZipFile.OpenRead(first.ZipPath);
        Assert.All(zip.Entries, e => Assert.Equal(Time.UtcDateTime, e.LastWriteTime.DateTime));
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "one"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_ISO_docker_machine_cannot_use_is_not_bundled_unless_forced()
    {
        Requires.Tool("xorriso");
        await SmallIso.BuildAsync(_directory, "input", "Boot2Docker", elTorito: true, cancellationToken: Cancel);

        Assert.Throws<IsoNotSeedableException>(() => BundleWriter.Write(Request(force: false)));
        Assert.False(Directory.Exists(Path.Combine(_directory, "out")));
        var forced = BundleWriter.Write(Request(force: true));
        Assert.True(File.Exists(forced.TarGzPath));
        Assert.Null(forced.Manifest.LabelVersion);
    }

    private BundleRequest Request(bool force) =>
        new() { IsoPath = Path.Combine(_directory, "input.iso"), Name = "b2d-test", OutputDirectory = Path.Combine(_directory, "out"), Timestamp = Time, Force = force };

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public void A_bundle_name_that_is_not_a_plain_file_name_is_refused(string name) =>
        Assert.Throws<InvalidInputException>(() => BundleWriter.Write(new BundleRequest { IsoPath = "/nonexistent.iso", Name = name, OutputDirectory = _directory }));
}
