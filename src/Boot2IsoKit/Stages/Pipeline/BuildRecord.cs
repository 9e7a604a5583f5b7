using System.Text.Json;
using System.Text.Json.Serialization;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Stages.Pipeline;

/// <summary>
/// What a build produced, written beside the ISO (<c>&lt;iso&gt;.b2ik.json</c>) and as
/// <c>artifacts/last-build.json</c>: SeedCache and Bundle take the last ISO and its provenance from here.
/// </summary>
public sealed record BuildRecord
{
    public const string LastBuildFileName = "last-build.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public required string Iso { get; init; }

    public required string Sha256 { get; init; }

    public required string Label { get; init; }

    public required string Recipe { get; init; }

    public required string Builder { get; init; }

    public string? EngineVersion { get; init; }

    public Dictionary<string, string> Versions { get; init; } = [];

    /// <summary>sha256 of every input, by name (base-iso, engine-tgz, ...).</summary>
    public Dictionary<string, string> Inputs { get; init; } = [];

    /// <summary>What Verify checks in the booted ISO (engine, version, banner, injected binaries, the recipe's commands).</summary>
    /// <remarks>Internal like its type, so it is named for the serializer: the record file carries it to a later Verify.</remarks>
    [JsonInclude]
    internal Boot2IsoKit.Stages.Verification.VerificationFacts? Verify { get; init; }

    internal IsoProvenance ToProvenance() => new()
    {
        Recipe = Recipe,
        EngineVersion = EngineVersion,
        Versions = Versions,
        Inputs = Inputs,
    };

    public void Save(string artifacts)
    {
        var json = JsonSerializer.Serialize(this, Json);
        AtomicFile.Write(Iso + ".b2ik.json", s => s.Write(System.Text.Encoding.UTF8.GetBytes(json)));
        AtomicFile.Write(Path.Combine(artifacts, LastBuildFileName), s => s.Write(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>The record beside an ISO, or null when the ISO was not built here.</summary>
    public static BuildRecord? ForIso(string iso) => Load(iso + ".b2ik.json");

    public static BuildRecord? LastBuild(string artifacts) => Load(Path.Combine(artifacts, LastBuildFileName));

    private static BuildRecord? Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<BuildRecord>(File.ReadAllText(path), Json) : null;
}
