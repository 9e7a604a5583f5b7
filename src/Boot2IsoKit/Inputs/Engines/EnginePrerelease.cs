namespace Boot2IsoKit.Inputs.Engines;

/// <summary>The order matters: a technical preview comes before a beta, a beta before a release candidate.</summary>
public enum EnginePrereleaseKind
{
    TechPreview,
    Beta,
    ReleaseCandidate,
}

internal sealed record EnginePrerelease(EnginePrereleaseKind Kind, int Number);
