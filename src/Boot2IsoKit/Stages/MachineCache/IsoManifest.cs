using System.Text.Json;
using System.Text.Json.Serialization;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// What one ISO is: its digest, its label as docker-machine reads it, and its provenance. The same JSON is a bundle's
/// manifest.json and the "manifest" of the record written beside a seeded ISO (also by the bundle's seed scripts).
/// </summary>
internal sealed record IsoManifest
{
    [JsonPropertyName("file")]
    public required string File { get; init; }

    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    [JsonPropertyName("size")]
    public required long Size { get; init; }

    [JsonPropertyName("volumeId")]
    public string? VolumeId { get; init; }

    /// <summary>The version docker-machine parses from the label (null: it cannot).</summary>
    [JsonPropertyName("labelVersion")]
    public string? LabelVersion { get; init; }

    [JsonPropertyName("recipe")]
    public string? Recipe { get; init; }

    [JsonPropertyName("engineVersion")]
    public string? EngineVersion { get; init; }

    [JsonPropertyName("versions")]
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("inputs")]
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static IsoManifest Create(IsoFacts facts, string sha256, long size, IsoProvenance? provenance) => new()
    {
        File = MachineStore.IsoFileName,
        Sha256 = sha256,
        Size = size,
        VolumeId = facts.VolumeId,
        LabelVersion = facts.ParsedVersion,
        Recipe = provenance?.Recipe,
        EngineVersion = provenance?.EngineVersion,
        Versions = new SortedDictionary<string, string>(new Dictionary<string, string>(provenance?.Versions ?? new Dictionary<string, string>()), StringComparer.Ordinal),
        Inputs = new SortedDictionary<string, string>(new Dictionary<string, string>(provenance?.Inputs ?? new Dictionary<string, string>()), StringComparer.Ordinal),
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
