namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// Where an ISO came from, as the build knows it: recorded beside a seeded ISO and in a bundle's manifest.json.
/// Values are written as given. Usage: <c>new IsoProvenance { Recipe = "experimental", EngineVersion = "20.10.24" }</c>.
/// </summary>
internal sealed record IsoProvenance
{
    /// <summary>The recipe name or file the ISO was built from.</summary>
    public string? Recipe { get; init; }

    /// <summary>The Docker engine version inside the ISO (the truth, whatever the label says).</summary>
    public string? EngineVersion { get; init; }

    /// <summary>Other component versions (base ISO, kernel, injected tools...).</summary>
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();

    /// <summary>The inputs' sha256 digests by name (base ISO, engine tgz, .deb files...).</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();
}
