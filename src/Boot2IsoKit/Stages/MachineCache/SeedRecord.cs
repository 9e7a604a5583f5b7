using System.Text.Json;
using System.Text.Json.Serialization;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// <c>cache/boot2docker.iso.b2ik.json</c>: what was seeded, when, by what, and which backup holds the ISO it replaced.
/// The bundle's seed.sh / seed.ps1 write the same shape.
/// </summary>
internal sealed record SeedRecord
{
    public const string Suffix = ".b2ik.json";

    [JsonPropertyName("seededBy")]
    public required string SeededBy { get; init; }

    /// <summary>UTC, ISO 8601.</summary>
    [JsonPropertyName("seededAt")]
    public required string SeededAt { get; init; }

    /// <summary>The file name of the backup of the ISO this one replaced (null: there was none).</summary>
    [JsonPropertyName("backup")]
    public string? Backup { get; init; }

    [JsonPropertyName("manifest")]
    public required IsoManifest Manifest { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, IsoManifest.JsonOptions);

    public static SeedRecord FromJson(string json) =>
        JsonSerializer.Deserialize<SeedRecord>(json, IsoManifest.JsonOptions) ?? throw new JsonException("empty seed record");
}
