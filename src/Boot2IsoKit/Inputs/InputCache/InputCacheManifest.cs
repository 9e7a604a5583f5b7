using System.Text.Json;
using System.Text.Json.Serialization;

namespace Boot2IsoKit.Inputs.InputCache;

/// <summary>The on-disk manifest (<c>manifest.json</c>): a format version and the entries.</summary>
internal sealed record InputCacheManifest
{
    public const int CurrentFormat = 1;
    public const long MaxBytes = 16 << 20;

    public int Format { get; init; } = CurrentFormat;

    public List<CachedInput> Inputs { get; init; } = [];

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
