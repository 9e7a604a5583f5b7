using System.Formats.Tar;
using System.Text.Json;

namespace Boot2IsoKit.Formats.DockerArchive;

/// <summary>
/// Writes a docker-load archive of one image from its registry blobs, in the layout moby's image/tarexport reads
/// (manifest.json, <c>&lt;hex&gt;.json</c>, <c>&lt;hex&gt;/layer.tar</c>). Layers are written as served (gzip or
/// not): docker load decompresses layer files and checks each against the config's diff IDs itself. Fixed dates,
/// owners and order: the same blobs give the same bytes.
/// </summary>
internal static class DockerArchiveWriter
{
    /// <param name="repoTags">The names docker load gives the image; empty leaves it untagged.</param>
    /// <param name="config">The config blob's file and its "sha256:…" digest.</param>
    /// <param name="layers">Each layer blob's file and digest, bottom first.</param>
    public static void Write(Stream output, IReadOnlyList<string> repoTags, (string File, string Digest) config, IReadOnlyList<(string File, string Digest)> layers, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(repoTags);
        ArgumentNullException.ThrowIfNull(layers);
        var configName = Hex(config.Digest) + ".json";
        var layerNames = layers.Select(l => Hex(l.Digest) + "/layer.tar").ToList();
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            new Dictionary<string, object?>
            {
                ["Config"] = configName,
                ["RepoTags"] = repoTags.Count == 0 ? null : repoTags,
                ["Layers"] = layerNames,
            },
        });

        using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        AddFile(tar, configName, config.File, timestamp);
        var written = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < layers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // An image may use one layer twice (empty layers): it is stored once.
            if (!written.Add(layerNames[i]))
            {
                continue;
            }

            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, Hex(layers[i].Digest) + "/") { ModificationTime = timestamp, Mode = Directory755 });
            AddFile(tar, layerNames[i], layers[i].File, timestamp);
        }

        using var manifestStream = new MemoryStream(manifest);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, DockerArchiveReader.ManifestName) { ModificationTime = timestamp, Mode = File644, DataStream = manifestStream });
    }

    private const UnixFileMode File644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode Directory755 = File644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static void AddFile(TarWriter tar, string name, string file, DateTimeOffset timestamp)
    {
        using var data = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { ModificationTime = timestamp, Mode = File644, DataStream = data });
    }

    private static string Hex(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71 ? digest["sha256:".Length..] : throw new ArgumentException($"'{digest}' is not a sha256 digest", nameof(digest));
}
