namespace Boot2IsoKit.Inputs.InputCache;

/// <summary>
/// An input the build needs. It is found in the cache by its pinned sha256 when there is one, else by
/// (kind, version, name) when a version is given, else by (kind, URL).
/// </summary>
/// <param name="Kind">See <see cref="InputKinds"/>.</param>
/// <param name="Url">Where it is fetched from when it is not cached (http, https or file).</param>
/// <param name="Version">The version the user named ("v19.03.12", "19.03.12"), or null.</param>
/// <param name="Sha256">A pinned lower-case hex sha256 (recipe or published .sha256), or null.</param>
/// <param name="Size">The expected size in bytes (e.g. from the release asset), or null.</param>
/// <param name="Name">A file name for humans and tools; defaults to the URL's last segment.</param>
internal sealed record InputRequest(string Kind, Uri Url, string? Version = null, string? Sha256 = null, long? Size = null, string? Name = null)
{
    public string FileName => string.IsNullOrEmpty(Name) ? Uri.UnescapeDataString(Url.Segments[^1].TrimEnd('/')) : Name;
}
