using System.Text.Json;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Registry;

/// <summary>One fetched manifest, read: an image manifest (config and layers) or an index/list (platform entries).</summary>
internal abstract record ManifestDocument(string MediaType)
{
    /// <summary>
    /// Reads <paramref name="bytes"/>. The media type is the document's own <c>mediaType</c> field when it has one (docker's
    /// schema 2 requires it, OCI's is optional), else the response's Content-Type; schema 1 is recognized by its
    /// <c>schemaVersion</c>. Any fault is a <see cref="RegistryUnsupportedManifestException"/> for <paramref name="where"/>.
    /// </summary>
    public static ManifestDocument Parse(byte[] bytes, string? contentType, ImageReference where, string digest)
    {
        ArgumentNullException.ThrowIfNull(where);
        try
        {
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(where, digest, "it is not a JSON object");
            }

            var schemaVersion = root.TryGetProperty("schemaVersion", out var version) && version.ValueKind == JsonValueKind.Number ? version.GetInt32() : 0;
            var declared = root.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : null;
            var mediaType = declared ?? MediaTypeOf(contentType) ?? "";
            if (schemaVersion == 1 || MediaTypes.IsSchema1(mediaType))
            {
                throw new RegistryUnsupportedManifestException(where.Registry, where.Repository, UnsupportedManifestReason.Schema1,
                    $"{where} ({digest}) is a docker image manifest of schema 1, which is deprecated and cannot be pulled by digest here: push the image again with a current docker (it writes schema 2).");
            }

            if (schemaVersion != 2)
            {
                throw Malformed(where, digest, $"its schemaVersion is {(schemaVersion == 0 ? "missing" : schemaVersion)}, not 2");
            }

            if (MediaTypes.IsIndex(mediaType) || (mediaType.Length == 0 && root.TryGetProperty("manifests", out _)))
            {
                var entries = Array(root, "manifests", where, digest)
                    .Select(e => new IndexEntry(Descriptor(e, where, digest), Platform(e)))
                    .ToList();
                return new IndexManifest(mediaType.Length == 0 ? MediaTypes.OciIndex : mediaType, entries);
            }

            if (MediaTypes.IsImageManifest(mediaType) || (mediaType.Length == 0 && root.TryGetProperty("layers", out _)))
            {
                if (!root.TryGetProperty("config", out var config))
                {
                    throw Malformed(where, digest, "it has no config");
                }

                var layers = Array(root, "layers", where, digest).Select(e => (Descriptor: Descriptor(e, where, digest), HasUrls: e.TryGetProperty("urls", out _))).ToList();
                return new ImageManifest(
                    mediaType.Length == 0 ? MediaTypes.OciManifest : mediaType,
                    Descriptor(config, where, digest),
                    [.. layers.Select(l => l.Descriptor)],
                    layers.Where(l => l.HasUrls).Select(l => l.Descriptor.Digest).ToHashSet(StringComparer.Ordinal));
            }

            throw new RegistryUnsupportedManifestException(where.Registry, where.Repository, UnsupportedManifestReason.UnknownMediaType,
                $"{where} ({digest}) has the media type '{mediaType}', which is not a container image manifest, index or manifest list: name a container image.");
        }
        catch (JsonException e)
        {
            throw Malformed(where, digest, "it is not valid JSON (" + e.Message + ")");
        }
        catch (Exception e) when (MalformedInput.Is(e) || e is InvalidOperationException)
        {
            // MalformedInput leaves InvalidOperationException out (elsewhere it is a bug), but only JSON is read here and
            // JsonElement.GetString throws it for a string that is not UTF-8 (found by the mutation test).
            throw Malformed(where, digest, e.Message);
        }
    }

    private static string? MediaTypeOf(string? contentType) =>
        contentType?.Split(';')[0].Trim() is { Length: > 0 } type ? type : null;

    private static JsonElement.ArrayEnumerator Array(JsonElement root, string name, ImageReference where, string digest) =>
        root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : throw Malformed(where, digest, $"it has no '{name}' array");

    private static ImageDescriptor Descriptor(JsonElement element, ImageReference where, string digest)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("mediaType", out var mediaType) || mediaType.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("digest", out var blobDigest) || blobDigest.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var length) || length < 0)
        {
            throw Malformed(where, digest, "a descriptor lacks its mediaType, digest or size");
        }

        var text = blobDigest.GetString()!;
        if (!ImageReference.IsSha256Digest(text))
        {
            throw Malformed(where, digest, $"the descriptor digest '{text}' is not sha256 and 64 lower-case hex digits (the only kind pulled here)");
        }

        return new ImageDescriptor(mediaType.GetString()!, text, length);
    }

    /// <summary>An index entry's <c>platform</c> as <c>os/architecture[/variant]</c> (image-spec image-index.md); "unknown" when absent.</summary>
    private static string Platform(JsonElement entry)
    {
        if (!entry.TryGetProperty("platform", out var platform) || platform.ValueKind != JsonValueKind.Object)
        {
            return "unknown";
        }

        string Field(string name) => platform.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        var variant = Field("variant");
        return Field("os") + "/" + Field("architecture") + (variant.Length > 0 ? "/" + variant : "");
    }

    private static RegistryUnsupportedManifestException Malformed(ImageReference where, string digest, string problem) =>
        new(where.Registry, where.Repository, UnsupportedManifestReason.Malformed, $"{where} ({digest}): the manifest cannot be read: {problem}.");
}

/// <summary>An image manifest: docker schema 2 or OCI.</summary>
/// <param name="ExternalLayers">The digests of layers whose descriptor has <c>urls</c>: served from elsewhere, not by the registry.</param>
internal sealed record ImageManifest(string MediaType, ImageDescriptor Config, IReadOnlyList<ImageDescriptor> Layers, IReadOnlySet<string> ExternalLayers)
    : ManifestDocument(MediaType);

/// <summary>A docker manifest list or an OCI image index.</summary>
internal sealed record IndexManifest(string MediaType, IReadOnlyList<IndexEntry> Entries) : ManifestDocument(MediaType);

/// <param name="Platform"><c>os/architecture[/variant]</c>.</param>
internal sealed record IndexEntry(ImageDescriptor Descriptor, string Platform)
{
    /// <summary>linux/amd64, with any variant (image-spec's platform variants v2..v4 are still amd64).</summary>
    public bool IsLinuxAmd64 => Platform == "linux/amd64" || Platform.StartsWith("linux/amd64/", StringComparison.Ordinal);
}
