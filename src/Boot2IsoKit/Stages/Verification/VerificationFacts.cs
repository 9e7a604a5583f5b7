namespace Boot2IsoKit.Stages.Verification;

/// <summary>
/// What a build promised, so Verify can check it inside the booted ISO. Kept in the build record
/// (<c>&lt;iso&gt;.b2ik.json</c>, "verify"); an ISO without a record is checked for what every
/// boot2docker ISO has (ID=boot2docker, a running daemon, the data disk).
/// </summary>
internal sealed record VerificationFacts
{
    /// <summary>The pinned engine; the daemon's server version must be this one. Null: the base's engine, any version.</summary>
    public string? EngineVersion { get; init; }

    /// <summary>VERSION in /etc/os-release.</summary>
    public string? StampedVersion { get; init; }

    /// <summary>The recipe's motd text, which /etc/motd must contain.</summary>
    public string? MotdBanner { get; init; }

    /// <summary>Where each injected binary (or its wrapper) lands; each must start.</summary>
    public IReadOnlyList<string> InjectedBinaries { get; init; } = [];

    /// <summary>The image IDs ("sha256:…") of the recipe's images:; each must be in the daemon after boot.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>The recipe's own verify: commands.</summary>
    public IReadOnlyList<string> Commands { get; init; } = [];
}
