using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Formats.DockerArchive;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Registry;

/// <summary>
/// Small container images made in the host's dockerd: Debian's static busybox as /bin/busybox, with /bin/true,
/// /bin/sh and /bin/cat linked to it, and one text file naming the image. It runs <c>true</c> with no network and
/// no libraries, so a VM can prove that an image really runs.
/// </summary>
internal static class TestImages
{
    /// <summary>Imports the image as <paramref name="tag"/> (removed by <see cref="RemoveAsync"/>).</summary>
    public static async Task CreateRunnableAsync(string work, string tag, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var busybox = ExternalTool.Find("busybox") ?? throw new MissingToolException("busybox (Debian package busybox-static)");
        var root = Path.Combine(work, "image-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.Copy(busybox, Path.Combine(root, "bin", "busybox"));
        foreach (var applet in new[] { "true", "sh", "cat" })
        {
            File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
        }

        await File.WriteAllTextAsync(Path.Combine(root, "image.txt"), tag + "\n", ct).ConfigureAwait(false);
        var tar = root + ".tar";
        await ExternalTool.RunCheckedAsync("tar", ["-C", root, "-cf", tar, "."], cancellationToken: ct).ConfigureAwait(false);
        await ExternalTool.RunCheckedAsync("docker", ["import", "--change", "ENV PATH=/bin", tar, tag], cancellationToken: ct).ConfigureAwait(false);
    }

    /// <summary><c>docker save</c> of <paramref name="tag"/> to <paramref name="path"/>.</summary>
    public static Task SaveAsync(string tag, string path, CancellationToken ct = default) =>
        ExternalTool.RunCheckedAsync("docker", ["save", "-o", path, tag], timeout: TimeSpan.FromMinutes(2), cancellationToken: ct);

    /// <summary>The image ID ("sha256:…") the host's dockerd gives <paramref name="tag"/>.</summary>
    public static async Task<string> IdAsync(string tag, CancellationToken ct = default) =>
        (await ExternalTool.RunCheckedAsync("docker", ["image", "inspect", "--format", "{{.Id}}", tag], cancellationToken: ct).ConfigureAwait(false)).StandardOutput.Trim();

    public static Task RemoveAsync(string tag, CancellationToken ct = default) =>
        ExternalTool.RunAsync("docker", ["rmi", "-f", tag], cancellationToken: ct);

    /// <summary>
    /// A docker-load archive made here with no engine: <paramref name="layers"/> one-file layers (gzip-compressed as a
    /// registry serves them, or plain; with more than one, the first is used twice, as empty layers are) and a config
    /// whose diff IDs match, written by the library's writer. Returns its path in <paramref name="directory"/>.
    /// </summary>
    public static string WriteArchive(string directory, string tag, bool gzip = true, int layers = 1)
    {
        Directory.CreateDirectory(directory);
        var name = new string([.. tag.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
        var blobs = new List<(string File, string Digest)>();
        var diffIds = new List<string>();
        for (var i = 0; i < layers; i++)
        {
            using var layer = new MemoryStream();
            using (var tar = new TarWriter(layer, leaveOpen: true))
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"file-{i}.txt") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"{tag} layer {i}\n")), ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000) });
            }

            var uncompressed = layer.ToArray();
            diffIds.Add("sha256:" + Convert.ToHexStringLower(SHA256.HashData(uncompressed)));
            var stored = uncompressed;
            if (gzip)
            {
                using var compressed = new MemoryStream();
                using (var deflate = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    deflate.Write(uncompressed);
                }

                stored = compressed.ToArray();
            }

            var file = Path.Combine(directory, $"{name}-layer-{i}");
            File.WriteAllBytes(file, stored);
            blobs.Add((file, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stored))));
        }

        if (layers > 1)
        {
            blobs.Add(blobs[0]);
            diffIds.Add(diffIds[0]);
        }

        var config = Path.Combine(directory, name + "-config.json");
        File.WriteAllText(config, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + string.Join(",", diffIds.Select(d => $"\"{d}\"")) + "]}}");
        var archive = Path.Combine(directory, name + ".tar");
        using (var output = File.Create(archive))
        {
            DockerArchiveWriter.Write(output, [tag], (config, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(config)))), blobs, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        }

        return archive;
    }
}
