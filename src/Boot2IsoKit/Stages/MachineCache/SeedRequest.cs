namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>What to seed where. Usage: <c>new SeedRequest { IsoPath = iso, Store = MachineStore.ResolveForCurrentUser(null) }</c>.</summary>
internal sealed record SeedRequest
{
    public required string IsoPath { get; init; }

    public required MachineStore Store { get; init; }

    /// <summary>Seed even when the ISO fails the checks (unparsable label, not bootable, not boot2docker).</summary>
    public bool Force { get; init; }

    public IsoProvenance? Provenance { get; init; }

    /// <summary>Also replace <c>machines/&lt;name&gt;/boot2docker.iso</c> of this existing machine (with a backup).</summary>
    public string? MachineName { get; init; }
}
