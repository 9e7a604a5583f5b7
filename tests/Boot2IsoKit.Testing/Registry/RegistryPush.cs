using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Boot2IsoKit.Testing.Registry;

/// <summary>
/// Pushes blobs and manifests to an anonymous registry through the distribution API (distribution-spec spec.md, "Pushing
/// blobs": a POST opens an upload, a monolithic PUT with <c>?digest=</c> closes it; "Pushing manifests": PUT by tag or digest),
/// and finds a blob's file in a filesystem storage (distribution's registry/storage/paths.go:
/// <c>docker/registry/v2/blobs/sha256/&lt;first two hex&gt;/&lt;hex&gt;/data</c>).
/// </summary>
internal static class RegistryPush
{
    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<string> BlobAsync(HttpClient http, Uri registry, string repository, byte[] bytes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        var digest = Digest(bytes);
        using var start = await http.PostAsync(new Uri(registry, $"v2/{repository}/blobs/uploads/"), null, ct).ConfigureAwait(false);
        start.EnsureSuccessStatusCode();
        var location = start.Headers.Location ?? throw new InvalidOperationException("the registry gave no upload location");
        var upload = location.IsAbsoluteUri ? location : new Uri(registry, location);
        var separator = upload.Query.Length > 0 ? "&" : "?";
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var put = await http.PutAsync(new Uri(upload + separator + "digest=" + Uri.EscapeDataString(digest)), content, ct).ConfigureAwait(false);
        put.EnsureSuccessStatusCode();
        return digest;
    }

    /// <returns>The manifest's digest.</returns>
    public static async Task<string> ManifestAsync(HttpClient http, Uri registry, string repository, string reference, string mediaType, byte[] bytes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var put = await http.PutAsync(new Uri(registry, $"v2/{repository}/manifests/{reference}"), content, ct).ConfigureAwait(false);
        if (!put.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT manifest {repository}:{reference} answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
        }

        return Digest(bytes);
    }

    /// <summary>Where a filesystem storage keeps the bytes of <paramref name="digest"/>.</summary>
    public static string BlobData(string storage, string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(storage, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }
}
