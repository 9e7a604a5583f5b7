using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Stages.Bundle;

/// <summary>
/// An air-gapped bundle to write. Usage:
/// <c>new BundleRequest { IsoPath = iso, Name = "boot2docker-experimental", OutputDirectory = "artifacts/bundle", Provenance = p }</c>.
/// </summary>
internal sealed record BundleRequest
{
    public required string IsoPath { get; init; }

    /// <summary>The archive name and its top directory: <c>&lt;Name&gt;.tar.gz</c> holds <c>&lt;Name&gt;/boot2docker.iso</c>.</summary>
    public required string Name { get; init; }

    public required string OutputDirectory { get; init; }

    public IsoProvenance? Provenance { get; init; }

    /// <summary>The ISO's bill of materials (<c>&lt;iso&gt;.spdx.json</c>), bundled as <see cref="BundleWriter.BillOfMaterialsName"/> when given.</summary>
    public string? BillOfMaterialsPath { get; init; }

    /// <summary>The time stamped on every entry (the run's source date, see <see cref="Boot2IsoKit.Plumbing.Reproducibility.SourceDate"/>); default the ISO's modification time.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Bundle even when the ISO fails docker-machine's checks.</summary>
    public bool Force { get; init; }

    /// <summary>Reads the ISO's /etc/os-release for the checks; without it that check is not done.</summary>
    public IOsReleaseProbe? OsReleaseProbe { get; init; }
}

/// <summary>What the Bundle target wrote.</summary>
public sealed class BundleResult
{
    internal BundleResult(string tarGzPath, string zipPath, IsoManifest manifest) =>
        (TarGzPath, ZipPath, Manifest) = (tarGzPath, zipPath, manifest);

    /// <summary>artifacts/bundle/&lt;name&gt;.tar.gz</summary>
    public string TarGzPath { get; }

    /// <summary>artifacts/bundle/&lt;name&gt;.zip</summary>
    public string ZipPath { get; }

    /// <summary>The manifest packed into the bundle.</summary>
    internal IsoManifest Manifest { get; }
}
