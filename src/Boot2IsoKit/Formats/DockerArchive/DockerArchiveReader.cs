using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;
using ZstdDecompressionStream = SharpCompress.Compressors.ZStandard.DecompressionStream;

namespace Boot2IsoKit.Formats.DockerArchive;

/// <summary>
/// Checks a <c>docker save</c> archive the way moby's image/tarexport (load.go) will read it, so a broken archive
/// is refused before it is baked into an ISO rather than in the VM at boot. Two passes over the file: the first
/// lists every entry (and reads manifest.json), the second hashes each image's config and uncompressed layers.
/// </summary>
internal static class DockerArchiveReader
{
    public const string ManifestName = "manifest.json";

    // manifest.json and configs are small JSON documents; a larger one is not an image archive.
    private const int MaxJsonBytes = 8 << 20;

    /// <summary>The images of the archive at <paramref name="path"/>, each verified.</summary>
    /// <exception cref="InvalidDockerArchiveException">docker load would refuse the archive, or its content does not match its digests.</exception>
    public static IReadOnlyList<DockerArchiveImage> Read(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(file, path, cancellationToken);
    }

    /// <summary>The images of an archive in a seekable <paramref name="file"/>, named <paramref name="path"/> in errors.</summary>
    public static IReadOnlyList<DockerArchiveImage> Read(Stream file, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.CanSeek)
        {
            throw new ArgumentException("the archive is read twice: give a seekable stream", nameof(file));
        }

        var (entries, manifestBytes) = List(file, path, cancellationToken);
        if (manifestBytes is null)
        {
            var legacy = entries.ContainsKey("repositories") ? " (it has only 'repositories': the format of docker 1.9 and earlier, which this toolkit does not bake)" : "";
            throw new InvalidDockerArchiveException(path, ManifestName, $"missing: this is not an archive written by 'docker save'{legacy}");
        }

        var manifest = ParseManifest(manifestBytes, path);
        var contents = Hash(file, path, entries, manifest, cancellationToken);
        var images = new List<DockerArchiveImage>();
        for (var i = 0; i < manifest.Count; i++)
        {
            images.Add(Check(manifest[i], i, entries, contents, path));
        }

        return images;
    }

    private sealed record ManifestEntry(string Config, IReadOnlyList<string> RepoTags, IReadOnlyList<string> Layers);

    private sealed record Entry(string Name, TarEntryType Type, long Size, string? LinkTarget);

    /// <summary>What the second pass found for an entry: the sha256 of its bytes, its config text or the layer's diff ID.</summary>
    private sealed record Content(string Sha256, byte[]? Json, string? DiffId);

    private static (Dictionary<string, Entry> Entries, byte[]? Manifest) List(Stream file, string path, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        byte[]? manifest = null;
        ForEachEntry(file, path, (entry, name) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A file cut short ends before its declared size: docker load would fail on it.
            if (entry.Length > file.Length)
            {
                throw new InvalidDockerArchiveException(path, name, $"truncated: the entry declares {entry.Length} bytes, more than the whole archive has ({file.Length})");
            }

            entries[name] = new Entry(name, entry.EntryType, entry.Length, entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink ? entry.LinkName : null);
            if (name == ManifestName)
            {
                manifest = ReadJson(entry, path, name);
            }
        });
        return (entries, manifest);
    }

    private static List<ManifestEntry> ParseManifest(byte[] bytes, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                throw new InvalidDockerArchiveException(path, ManifestName, "must be a non-empty JSON array of images");
            }

            var images = new List<ManifestEntry>();
            var index = 0;
            foreach (var image in document.RootElement.EnumerateArray())
            {
                var where = $"{ManifestName}[{index++}]";
                if (image.ValueKind != JsonValueKind.Object || !image.TryGetProperty("Config", out var config) || config.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDockerArchiveException(path, where, "has no \"Config\" file name");
                }

                if (!image.TryGetProperty("Layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidDockerArchiveException(path, where, "has no \"Layers\" list");
                }

                var tags = image.TryGetProperty("RepoTags", out var repoTags) && repoTags.ValueKind == JsonValueKind.Array
                    ? repoTags.EnumerateArray().Select(t => t.GetString() ?? throw new InvalidDockerArchiveException(path, where, "a RepoTags item is not text")).ToList()
                    : [];
                images.Add(new ManifestEntry(
                    Normalize(config.GetString()!),
                    tags,
                    [.. layers.EnumerateArray().Select(l => Normalize(l.GetString() ?? throw new InvalidDockerArchiveException(path, where, "a Layers item is not text")))]));
            }

            return images;
        }
        catch (JsonException e)
        {
            throw new InvalidDockerArchiveException(path, $"{ManifestName} line {e.LineNumber + 1}", "is not valid JSON: " + e.Message, e);
        }
    }

    private static Dictionary<string, Content> Hash(Stream file, string path, Dictionary<string, Entry> entries, List<ManifestEntry> manifest, CancellationToken cancellationToken)
    {
        var configs = manifest.Select(m => Resolve(m.Config, entries, path, "config")).ToHashSet(StringComparer.Ordinal);
        var layers = manifest.SelectMany(m => m.Layers).Select(l => Resolve(l, entries, path, "layer")).ToHashSet(StringComparer.Ordinal);
        var contents = new Dictionary<string, Content>(StringComparer.Ordinal);
        ForEachEntry(file, path, (entry, name) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (configs.Contains(name))
            {
                var json = ReadJson(entry, path, name);
                contents[name] = new Content(Convert.ToHexStringLower(SHA256.HashData(json)), json, null);
            }
            else if (layers.Contains(name))
            {
                contents[name] = HashLayer(entry, path, name, cancellationToken);
            }
        });
        return contents;
    }

    private static DockerArchiveImage Check(ManifestEntry image, int index, Dictionary<string, Entry> entries, Dictionary<string, Content> contents, string path)
    {
        var where = $"{ManifestName}[{index}]";
        var configName = Resolve(image.Config, entries, path, "config");
        var config = contents[configName];
        // The config is stored under its digest ("<hex>.json", or "blobs/sha256/<hex>" from docker 25 on): docker load checks it.
        var named = Path.GetFileNameWithoutExtension(configName.Split('/')[^1]);
        if (named.Length == 64 && named != config.Sha256)
        {
            throw new InvalidDockerArchiveException(path, configName, $"its sha256 is {config.Sha256}, not the {named} it is named by");
        }

        var diffIds = DiffIds(config.Json!, path, configName);
        if (diffIds.Count != image.Layers.Count)
        {
            throw new InvalidDockerArchiveException(path, where, $"lists {image.Layers.Count} layers, but its config {configName} has {diffIds.Count} diff IDs");
        }

        var layers = new List<DockerArchiveLayer>();
        for (var i = 0; i < diffIds.Count; i++)
        {
            var layerName = Resolve(image.Layers[i], entries, path, "layer");
            var layer = contents[layerName];
            if (layer.DiffId != diffIds[i])
            {
                throw new InvalidDockerArchiveException(path, layerName, $"its uncompressed sha256 is {layer.DiffId}, not the diff ID {diffIds[i]} the config gives layer {i + 1}");
            }

            // From docker 25 on a layer is stored as blobs/sha256/<digest of the file as stored>.
            if (layerName.StartsWith("blobs/sha256/", StringComparison.Ordinal) && layerName["blobs/sha256/".Length..] != layer.Sha256)
            {
                throw new InvalidDockerArchiveException(path, layerName, $"its sha256 is {layer.Sha256}, not the digest it is named by");
            }

            layers.Add(new DockerArchiveLayer(layerName, layer.DiffId, entries[layerName].Size));
        }

        return new DockerArchiveImage(image.RepoTags, "sha256:" + config.Sha256, layers);
    }

    private static List<string> DiffIds(byte[] config, string path, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(config);
            if (!document.RootElement.TryGetProperty("rootfs", out var rootfs) || !rootfs.TryGetProperty("diff_ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDockerArchiveException(path, name, "the image config has no rootfs.diff_ids");
            }

            return [.. ids.EnumerateArray().Select(id => id.GetString() is { } text && text.StartsWith("sha256:", StringComparison.Ordinal) ? text : throw new InvalidDockerArchiveException(path, name, $"rootfs.diff_ids has '{id}', not a sha256 digest"))];
        }
        catch (JsonException e)
        {
            throw new InvalidDockerArchiveException(path, name, "the image config is not valid JSON: " + e.Message, e);
        }
    }

    /// <summary>The regular file an archive name means: itself, or the target of a link to it (docker save links shared layers).</summary>
    private static string Resolve(string name, Dictionary<string, Entry> entries, string path, string what)
    {
        for (var hops = 0; hops < 8; hops++)
        {
            if (!entries.TryGetValue(name, out var entry))
            {
                throw new InvalidDockerArchiveException(path, name, $"the {what} manifest.json names is not in the archive");
            }

            if (entry.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
            {
                return name;
            }

            if (entry.LinkTarget is null)
            {
                throw new InvalidDockerArchiveException(path, name, $"the {what} is a {entry.Type}, not a file");
            }

            // A symlink's target is relative to its directory; a hard link's to the archive root.
            name = entry.Type == TarEntryType.SymbolicLink
                ? Normalize(Path.GetDirectoryName(name)!.Replace('\\', '/') + "/" + entry.LinkTarget)
                : Normalize(entry.LinkTarget);
        }

        throw new InvalidDockerArchiveException(path, name, "a chain of links that does not end");
    }

    private static void ForEachEntry(Stream file, string path, Action<TarEntry, string> visit)
    {
        string last = "(the first entry)";
        try
        {
            // TarReader buffers a pax header or GNU long name as large as it claims: the limit stream refuses huge ones.
            // It reads sequentially, so an entry cut short is found when the reader reaches its end.
            file.Position = 0;
            using var reader = new TarReader(new TarMetadataLimitStream(file), leaveOpen: true);
            while (reader.GetNextEntry() is { } entry)
            {
                var name = Normalize(entry.Name);
                last = name;
                visit(entry, name);
            }
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            var problem = e is EndOfStreamException ? "truncated: the archive ends inside this entry or right after it" : "not a readable tar (corrupt): " + e.Message;
            throw new InvalidDockerArchiveException(path, $"at or after {last}", problem, e);
        }
    }

    private static byte[] ReadJson(TarEntry entry, string path, string name)
    {
        if (entry.Length > MaxJsonBytes || entry.DataStream is null)
        {
            throw new InvalidDockerArchiveException(path, name, entry.DataStream is null ? "has no content" : $"is {entry.Length} bytes, more than the {MaxJsonBytes} a JSON document of an image archive may have");
        }

        var bytes = new byte[entry.Length];
        entry.DataStream.ReadExactly(bytes);
        // JSON is UTF-8 (RFC 8259): System.Text.Json reads invalid sequences but cannot return them as strings.
        return System.Text.Unicode.Utf8.IsValid(bytes) ? bytes : throw new InvalidDockerArchiveException(path, name, "is not UTF-8 text, so not the JSON document docker load reads");
    }

    /// <summary>sha256 of the layer's uncompressed tar: docker load decompresses gzip and zstd layer files (moby's pkg/archive DecompressStream).</summary>
    private static Content HashLayer(TarEntry entry, string path, string name, CancellationToken cancellationToken)
    {
        var data = entry.DataStream ?? throw new InvalidDockerArchiveException(path, name, "the layer has no content");
        var magic = new byte[4];
        var read = data.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        var prefixed = new PrefixedStream(magic.AsMemory(0, read), data);
        try
        {
            using var raw = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var uncompressed = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var hashing = new HashingStream(prefixed, raw);
            using Stream decoded = read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B ? new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true)
                : read == 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD ? new ZstdDecompressionStream(hashing, leaveOpen: true)
                : hashing;
            var buffer = new byte[1 << 16];
            int n;
            while ((n = decoded.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                uncompressed.AppendData(buffer, 0, n);
            }

            // The decoder may stop before the end of the stored file: the raw digest covers all of it.
            hashing.CopyTo(Stream.Null);

            return new Content(Convert.ToHexStringLower(raw.GetHashAndReset()), null, "sha256:" + Convert.ToHexStringLower(uncompressed.GetHashAndReset()));
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            throw new InvalidDockerArchiveException(path, name, "the layer does not decompress: " + e.Message, e);
        }
    }

    private static string Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Replace('\\', '/').Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    /// <summary>Bytes already read (the magic), then the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ReadOnlyStream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.Length > 0)
            {
                var n = Math.Min(buffer.Length, _prefix.Length);
                _prefix.Span[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }

            return rest.Read(buffer);
        }
    }

    /// <summary>Hashes what is read through it.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            hash.AppendData(buffer[..n]);
            return n;
        }
    }
}
