using System.Text.Json.Serialization;

namespace Boot2IsoKit.Inputs.InputCache;

/// <summary>One manifest entry: what a cached file is and where it came from.</summary>
internal sealed record CachedInput
{
    public required string Kind { get; init; }

    public string? Version { get; init; }

    public required string Name { get; init; }

    public required Uri Url { get; init; }

    public required string Sha256 { get; init; }

    public required long Size { get; init; }

    public required DateTimeOffset FetchedAt { get; init; }

    /// <summary>The file in the cache (set when the entry comes from a cache, not stored in the manifest).</summary>
    [JsonIgnore]
    public string Path { get; init; } = string.Empty;

    internal bool Matches(InputRequest request)
    {
        if (!string.Equals(Kind, request.Kind, StringComparison.Ordinal))
        {
            return false;
        }

        if (request.Version is not null)
        {
            return string.Equals(NormalizeVersion(Version), NormalizeVersion(request.Version), StringComparison.OrdinalIgnoreCase)
                && string.Equals(Name, request.FileName, StringComparison.Ordinal);
        }

        return Url == request.Url;
    }

    // "v19.03.12" and "19.03.12" name the same release.
    private static string? NormalizeVersion(string? version) => version?.Trim().TrimStart('v', 'V');
}

/// <summary>An input that offline mode could not find: what it is and what would have been fetched.</summary>
internal sealed record MissingInput(string Kind, string? Version, Uri Url, string? Sha256)
{
    public override string ToString() =>
        $"{Kind} {Version ?? "-"} {Url}{(Sha256 is null ? string.Empty : $" (sha256 {Sha256})")}";
}
