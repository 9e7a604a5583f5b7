using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Boot2IsoKit.Formats.DockerArchive;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.DockerArchive;

/// <summary>
/// The docker-load archive against the real Docker engine: what <c>docker save</c> writes is read back with the names
/// and the image ID <c>docker image inspect</c> gives; what the writer writes from registry-style blobs (gzip layers)
/// is accepted by <c>docker load</c> with the config's digest as the image ID; truncated, tampered and foreign files
/// are refused with the place named.
/// </summary>
[Collection(Boot2IsoKit.Tests.Stages.Docker.DockerEngineTests.Name)]
public sealed class DockerArchiveTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("b2ik-docker-archive-").FullName;
    private readonly string _tag = $"b2ik-test/archive-{Guid.NewGuid():N}"[..40] + ":1";

    public void Dispose()
    {
        TestImages.RemoveAsync(_tag).GetAwaiter().GetResult();
        Directory.Delete(_work, recursive: true);
    }

    private async Task<string> SavedAsync()
    {
        Requires.Tools("docker", "busybox", "tar");
        await TestImages.CreateRunnableAsync(_work, _tag, TestContext.Current.CancellationToken);
        var path = Path.Combine(_work, "saved.tar");
        await TestImages.SaveAsync(_tag, path, TestContext.Current.CancellationToken);
        return path;
    }

    [Fact]
    public async Task A_docker_save_archive_reads_with_the_names_and_image_id_docker_gives()
    {
        var saved = await SavedAsync();

        var image = Assert.Single(DockerArchiveReader.Read(saved, TestContext.Current.CancellationToken));

        Assert.Equal([_tag], image.RepoTags);
        Assert.Equal(await TestImages.IdAsync(_tag, TestContext.Current.CancellationToken), image.ImageId);
        var layer = Assert.Single(image.Layers);
        var diffIds = (await ExternalTool.RunCheckedAsync("docker", ["image", "inspect", "--format", "{{json .RootFS.Layers}}", _tag], cancellationToken: TestContext.Current.CancellationToken)).StandardOutput;
        Assert.Equal(layer.DiffId, JsonNode.Parse(diffIds)!.AsArray().Single()!.GetValue<string>());
    }

    [Fact]
    public async Task An_archive_written_from_gzip_blobs_is_loaded_by_docker_as_the_same_image()
    {
        var saved = await SavedAsync();
        var (config, layerTar) = ExtractConfigAndLayer(saved);
        // As a registry serves it: the layer gzip-compressed, named by the digest of the compressed bytes.
        var blob = Path.Combine(_work, "layer.gz");
        await using (var input = File.OpenRead(layerTar))
        await using (var output = new GZipStream(File.Create(blob), CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output, TestContext.Current.CancellationToken);
        }

        var written = Path.Combine(_work, "written.tar");
        var loadedTag = _tag.Replace(":1", ":written", StringComparison.Ordinal);
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);
        await using (var output = File.Create(written))
        {
            DockerArchiveWriter.Write(output, [loadedTag], (config, "sha256:" + Sha256(config)), [(blob, "sha256:" + Sha256(blob))], timestamp, TestContext.Current.CancellationToken);
        }

        // Our reader checks it as docker load will: the gzip layer's uncompressed sha256 is the config's diff ID.
        var image = Assert.Single(DockerArchiveReader.Read(written, TestContext.Current.CancellationToken));
        Assert.Equal("sha256:" + Sha256(config), image.ImageId);

        // Same blobs, same bytes.
        var again = Path.Combine(_work, "again.tar");
        await using (var output = File.Create(again))
        {
            DockerArchiveWriter.Write(output, [loadedTag], (config, "sha256:" + Sha256(config)), [(blob, "sha256:" + Sha256(blob))], timestamp, TestContext.Current.CancellationToken);
        }

        Assert.Equal(Sha256(written), Sha256(again));

        await TestImages.RemoveAsync(_tag, TestContext.Current.CancellationToken);
        try
        {
            var load = await ExternalTool.RunCheckedAsync("docker", ["load", "-i", written], cancellationToken: TestContext.Current.CancellationToken);
            Assert.Contains(loadedTag, load.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(image.ImageId, await TestImages.IdAsync(loadedTag, TestContext.Current.CancellationToken));
        }
        finally
        {
            await TestImages.RemoveAsync(loadedTag, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_truncated_archive_is_refused_naming_the_entry_cut_short()
    {
        var saved = await SavedAsync();
        var truncated = Path.Combine(_work, "truncated.tar");
        var bytes = await File.ReadAllBytesAsync(saved, TestContext.Current.CancellationToken);
        var (layerName, layerEnd) = LargestEntry(saved);
        await File.WriteAllBytesAsync(truncated, bytes[..(int)(layerEnd - 4096)], TestContext.Current.CancellationToken);

        var error = Assert.Throws<InvalidDockerArchiveException>(() => DockerArchiveReader.Read(truncated, TestContext.Current.CancellationToken));

        Assert.Equal(truncated, error.Input);
        Assert.Contains(layerName, error.Location, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_layer_that_does_not_match_its_diff_id_is_refused()
    {
        var saved = await SavedAsync();
        var (layerName, layerEnd) = LargestEntry(saved);
        var tampered = Path.Combine(_work, "tampered.tar");
        var bytes = await File.ReadAllBytesAsync(saved, TestContext.Current.CancellationToken);
        bytes[layerEnd - 700] ^= 0x01; // inside the layer's data, before its end padding
        await File.WriteAllBytesAsync(tampered, bytes, TestContext.Current.CancellationToken);

        var error = Assert.Throws<InvalidDockerArchiveException>(() => DockerArchiveReader.Read(tampered, TestContext.Current.CancellationToken));

        Assert.Equal(layerName, error.Location);
        Assert.Contains("not the diff ID", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tar_without_manifest_json_or_not_a_tar_at_all_is_refused()
    {
        var plain = Path.Combine(_work, "plain.tar");
        Directory.CreateDirectory(Path.Combine(_work, "tree"));
        await File.WriteAllTextAsync(Path.Combine(_work, "tree", "hello.txt"), "hello\n", TestContext.Current.CancellationToken);
        await ExternalTool.RunCheckedAsync("tar", ["-C", Path.Combine(_work, "tree"), "-cf", plain, "hello.txt"], cancellationToken: TestContext.Current.CancellationToken);
        var noManifest = Assert.Throws<InvalidDockerArchiveException>(() => DockerArchiveReader.Read(plain, TestContext.Current.CancellationToken));
        Assert.Equal("manifest.json", noManifest.Location);

        var text = Path.Combine(_work, "image.txt");
        await File.WriteAllTextAsync(text, new string('x', 2000), TestContext.Current.CancellationToken);
        var notTar = Assert.Throws<InvalidDockerArchiveException>(() => DockerArchiveReader.Read(text, TestContext.Current.CancellationToken));
        Assert.Contains("not a readable tar", notTar.Problem, StringComparison.Ordinal);
    }

    private (string Config, string Layer) ExtractConfigAndLayer(string saved)
    {
        var directory = Path.Combine(_work, "extracted");
        Directory.CreateDirectory(directory);
        TarFile.ExtractToDirectory(saved, directory, overwriteFiles: true);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")))!.AsArray().Single()!;
        return (Path.Combine(directory, (string)manifest["Config"]!), Path.Combine(directory, (string)manifest["Layers"]!.AsArray().Single()!));
    }

    /// <summary>The biggest regular entry (the layer) and the offset where its data ends.</summary>
    private static (string Name, long End) LargestEntry(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new TarReader(file);
        (string Name, long End, long Length) largest = ("", 0, -1);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType == TarEntryType.RegularFile && entry.Length > largest.Length)
            {
                largest = (entry.Name, entry.DataOffset + entry.Length, entry.Length);
            }
        }

        return (largest.Name, largest.End);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
