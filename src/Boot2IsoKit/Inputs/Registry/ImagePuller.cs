using System.Globalization;
using System.Text.Json;
using Boot2IsoKit.Formats.DockerArchive;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.Registry;

/// <summary>
/// Pulls the recipe's image references through the input cache: what the registry resolved a reference to (the
/// linux/amd64 manifest digest, config and layers) is recorded as one small entry, and each blob under its digest,
/// so <c>Fetch</c> on a connected machine and then <c>--offline</c> carries them. Online, a reference is always asked
/// again (a tag may have moved); blobs already cached are not fetched again. The pulled image is then written as a
/// docker-load archive.
/// </summary>
internal sealed class ImagePuller(InputCacheStore cache, RegistryClient client, Func<string, string?> environment, Action<string>? detail = null)
{
    /// <summary>The environment variable prefix of a registry's credentials: <c>B2IK_REGISTRY_AUTH_GHCR_IO=user:token</c>.</summary>
    public const string CredentialsVariablePrefix = "B2IK_REGISTRY_AUTH_";

    /// <summary>The name of the variable that holds <paramref name="host"/>'s credentials (non-alphanumerics become '_').</summary>
    public static string CredentialsVariable(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return CredentialsVariablePrefix + new string([.. host.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
    }

    /// <summary>Pulls <paramref name="spec"/>'s reference and writes it as a docker-load archive under <paramref name="directory"/>.</summary>
    /// <param name="recipe">The recipe, for located errors.</param>
    /// <param name="timestamp">The dates the archive's entries get (the build's source date).</param>
    /// <exception cref="MissingInputsException">Offline and not cached.</exception>
    public async Task<(string Archive, ImageReference Reference, ResolvedImage Resolved, Uri ManifestUrl)> PullAsync(
        ImageSpec spec, IReadOnlyList<RegistrySpec> registries, string recipe, string directory, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(registries);
        var reference = Parse(spec.Reference ?? throw new ArgumentException("not a reference", nameof(spec)), recipe, spec.Line);
        var tag = spec.Tag is null ? null : Parse(spec.Tag, recipe, spec.Line);
        var registry = registries.FirstOrDefault(r => string.Equals(r.Host, reference.Registry, StringComparison.OrdinalIgnoreCase));
        var access = Access(reference, registry, recipe);
        var request = new InputRequest(InputKinds.Image, ManifestUrl(access, reference, reference.ManifestReference), reference.ToString(), Name: $"{reference.Repository.Replace('/', '_')}.image.json");

        ResolvedImage resolved;
        if (cache.Offline)
        {
            var cached = cache.Find(request) ?? throw new MissingInputsException(cache.Root, [new MissingInput(InputKinds.Image, reference.ToString(), request.Url, null)]);
            resolved = Deserialize(await File.ReadAllBytesAsync(cached.Path, cancellationToken).ConfigureAwait(false), reference, cached.Path);
        }
        else
        {
            resolved = await client.ResolveAsync(reference, access, cancellationToken).ConfigureAwait(false);
            await cache.RecordAsync(request, Serialize(resolved), cancellationToken).ConfigureAwait(false);
        }

        detail?.Invoke($"image {reference}: {resolved.ManifestDigest} ({resolved.Layers.Count} layers)");
        var config = await BlobAsync(resolved, resolved.Config, access, cancellationToken).ConfigureAwait(false);
        var layers = new List<(string File, string Digest)>();
        foreach (var layer in resolved.Layers)
        {
            layers.Add((await BlobAsync(resolved, layer, access, cancellationToken).ConfigureAwait(false), layer.Digest));
        }

        // docker load names the image by the recipe's tag:, else by the reference's own tag; a digest alone leaves it untagged.
        var name = tag ?? reference;
        IReadOnlyList<string> repoTags = name.Tag is { } t ? [$"{name.Registry}/{name.Repository}:{t}"] : [];
        Directory.CreateDirectory(directory);
        var archive = Path.Combine(directory, resolved.ManifestDigest["sha256:".Length..] + ".tar");
        await Task.Run(() => AtomicFile.Write(archive, output => DockerArchiveWriter.Write(output, repoTags, (config, resolved.Config.Digest), layers, timestamp, cancellationToken)), cancellationToken).ConfigureAwait(false);
        return (archive, reference, resolved, ManifestUrl(access, reference, resolved.ManifestDigest));
    }

    private static ImageReference Parse(string text, string recipe, int line) =>
        ImageReference.TryParse(text, out var reference, out var problem)
            ? reference!
            : throw new InvalidInputException(recipe, string.Create(CultureInfo.InvariantCulture, $"line {line}"), $"images: '{text}' is not an image reference: {problem}");

    /// <summary>The registry's address and credentials: the recipe's registries: entry, else the environment's variable.</summary>
    private RegistryAccess Access(ImageReference reference, RegistrySpec? registry, string recipe)
    {
        RegistryCredentials? credentials = null;
        if (cache.Offline)
        {
            // Nothing is asked of the registry: no password is needed (or read).
        }
        else if (registry is { Username: { } username, PasswordVariable: { } variable })
        {
            var password = environment(variable);
            credentials = string.IsNullOrEmpty(password)
                ? throw new InvalidInputException(recipe, string.Create(CultureInfo.InvariantCulture, $"line {registry.Line}"), $"registries: {registry.Host}: the password variable {variable} is not set")
                : new RegistryCredentials(username, password);
        }
        else if (environment(CredentialsVariable(reference.Registry)) is { Length: > 0 } pair)
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            credentials = colon > 0
                ? new RegistryCredentials(pair[..colon], pair[(colon + 1)..])
                : throw new Boot2IsoKitException($"{CredentialsVariable(reference.Registry)} must be USER:PASSWORD");
        }

        var access = RegistryAccess.For(reference, registry?.PlainHttp ?? false, credentials) with
        {
            CredentialsHint = $"Give them in the recipe (registries: {reference.Registry}: username: and password-env: VARIABLE) or in the environment ({CredentialsVariable(reference.Registry)}=USER:PASSWORD).",
        };
        return registry?.Url is { } url ? access with { BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/") } : access;
    }

    /// <summary>A blob from the cache (re-hashed), else fetched with the registry's authentication and added under its digest.</summary>
    private async Task<string> BlobAsync(ResolvedImage image, ImageDescriptor blob, RegistryAccess access, CancellationToken cancellationToken)
    {
        var sha = blob.Digest["sha256:".Length..];
        if (cache.FindBySha256(sha) is { } cached && await FileHash.Sha256Async(cached.Path, cancellationToken).ConfigureAwait(false) == sha)
        {
            return cached.Path;
        }

        var url = new Uri(access.BaseAddress, $"v2/{image.Reference.Repository}/blobs/{blob.Digest}");
        if (cache.Offline)
        {
            throw new MissingInputsException(cache.Root, [new MissingInput(InputKinds.ImageBlob, image.Reference.ToString(), url, sha)]);
        }

        var incoming = cache.IncomingPath("blobs");
        var fetched = await client.FetchBlobAsync(image, blob, access, incoming, cancellationToken: cancellationToken).ConfigureAwait(false);
        var recorded = await cache.RecordFileAsync(new InputRequest(InputKinds.ImageBlob, url, image.Reference.ToString(), sha, blob.Size, $"{sha}.blob"), fetched, sha, cancellationToken).ConfigureAwait(false);
        return recorded.Path;
    }

    private static Uri ManifestUrl(RegistryAccess access, ImageReference reference, string tagOrDigest) =>
        new(access.BaseAddress, $"v2/{reference.Repository}/manifests/{tagOrDigest}");

    private sealed record StoredImage(string ManifestDigest, string? IndexDigest, ImageDescriptor Config, IReadOnlyList<ImageDescriptor> Layers);

    private static byte[] Serialize(ResolvedImage image) =>
        JsonSerializer.SerializeToUtf8Bytes(new StoredImage(image.ManifestDigest, image.IndexDigest, image.Config, image.Layers));

    private static ResolvedImage Deserialize(byte[] bytes, ImageReference reference, string path)
    {
        try
        {
            var stored = JsonSerializer.Deserialize<StoredImage>(bytes) ?? throw new JsonException("empty");
            return new ResolvedImage(reference, stored.ManifestDigest, stored.IndexDigest, stored.Config, stored.Layers);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(path, "image record", "the input cache's record of the image is not readable: " + e.Message, e);
        }
    }
}
