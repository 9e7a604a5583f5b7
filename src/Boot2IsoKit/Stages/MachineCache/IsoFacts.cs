using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.OsRelease;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// What docker-machine will find in an ISO before it is seeded: the volume label and the version it parses from it,
/// an El Torito boot image, and <c>ID=boot2docker</c> in /etc/os-release.
/// Usage: <c>IsoFacts.Read(path, probe).EnsureSeedable(force)</c>.
/// </summary>
internal sealed record IsoFacts
{
    private const long VolumeIdOffset = 0x8028;

    public required string IsoPath { get; init; }

    /// <summary>The volume label after docker-machine's white-space trim (NULs kept), or null when the file is too short.</summary>
    public string? VolumeId { get; init; }

    /// <summary>The version docker-machine compares with the release tag, e.g. "v19.03.12"; null when it cannot parse one.</summary>
    public string? ParsedVersion { get; init; }

    /// <summary>docker-machine's error when it cannot parse the version (e.g. <c>Did not find prefix "-v" in version string</c>).</summary>
    public string? VersionError { get; init; }

    public bool HasPrimaryVolumeDescriptor { get; init; }

    /// <summary>Null when an El Torito boot record with a bootable default entry was found, else why not.</summary>
    public string? BootProblem { get; init; }

    public OsReleaseCheck OsRelease { get; init; }

    /// <summary>The ID= value read from /etc/os-release (when checked and present).</summary>
    public string? OsReleaseId { get; init; }

    /// <summary>Everything that makes docker-machine fail with this ISO; empty when it may be seeded.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            var problems = new List<string>();
            if (!HasPrimaryVolumeDescriptor)
            {
                problems.Add("no ISO 9660 primary volume descriptor at sector 16: not an ISO image");
            }

            if (ParsedVersion is null)
            {
                problems.Add($"docker-machine cannot read a version from the volume label '{VolumeLabel.Visible(VolumeId ?? "")}': {VersionError} " +
                    "(offline 'docker-machine create' fails, online it downloads upstream's ISO over it)");
            }

            if (BootProblem is not null)
            {
                problems.Add($"not bootable: {BootProblem}");
            }

            if (OsRelease == OsReleaseCheck.Failed)
            {
                problems.Add(OsReleaseId is null
                    ? "/etc/os-release is missing or has no ID=, so docker-machine will not use its boot2docker provisioner"
                    : $"/etc/os-release says ID={OsReleaseId}, not ID=boot2docker, so docker-machine will not use its boot2docker provisioner");
            }

            return problems;
        }
    }

    /// <summary>Throws <see cref="IsoNotSeedableException"/> with every reason, unless forced.</summary>
    public IsoFacts EnsureSeedable(bool force)
    {
        var problems = Problems;
        return problems.Count == 0 || force ? this : throw new IsoNotSeedableException(IsoPath, problems);
    }

    public static IsoFacts Read(string isoPath, IOsReleaseProbe? osReleaseProbe = null)
    {
        ArgumentNullException.ThrowIfNull(isoPath);
        if (!File.Exists(isoPath))
        {
            throw new InvalidInputException(isoPath, "file", "does not exist (build the ISO first, or pass --iso=PATH)");
        }

        using var iso = new FileStream(isoPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);

        var pvd = ReadAt(iso, IsoSignature.FirstDescriptorOffset, IsoSignature.HeaderLength);
        var hasPvd = IsoSignature.IsVolumeDescriptor(pvd, IsoSignature.PrimaryDescriptorType);

        // docker-machine's ReadAt fails with EOF when the 32 bytes are not all there.
        var field = ReadAt(iso, VolumeIdOffset, VolumeLabel.MaxBytes);
        string? volumeId = null, version = null, versionError = "EOF";
        if (field.Length == VolumeLabel.MaxBytes)
        {
            volumeId = VolumeLabel.TrimmedText(field);
            _ = VolumeLabel.TryParseVersion(field, out version, out versionError);
        }

        var (osRelease, osReleaseId) = CheckOsRelease(isoPath, osReleaseProbe);
        return new IsoFacts
        {
            IsoPath = isoPath,
            VolumeId = volumeId,
            ParsedVersion = version,
            VersionError = version is null ? versionError : null,
            HasPrimaryVolumeDescriptor = hasPvd,
            BootProblem = FindBootProblem(iso, isoPath),
            OsRelease = osRelease,
            OsReleaseId = osReleaseId,
        };
    }

    /// <summary>
    /// El Torito as a BIOS boots it, read by <see cref="IsoImage.ReadBootEntry"/>: that reader refuses a broken boot record
    /// or catalog, and this says why beside the other problems instead of failing. The reader accepts a default entry marked
    /// not bootable (0x00); a BIOS does not boot it, so neither does docker-machine's VM.
    /// </summary>
    private static string? FindBootProblem(FileStream iso, string isoPath)
    {
        try
        {
            var entry = IsoImage.ReadBootEntry(iso, isoPath);
            return entry.Bootable
                ? null
                : $"the default entry of the El Torito boot catalog (sector {entry.CatalogLba}) is not marked bootable (0x00)";
        }
        catch (InvalidIsoException e)
        {
            return $"{e.Location}: {e.Problem}";
        }
    }

    private static (OsReleaseCheck, string?) CheckOsRelease(string isoPath, IOsReleaseProbe? probe)
    {
        if (probe is null)
        {
            return (OsReleaseCheck.NotChecked, null);
        }

        var text = probe.ReadOsRelease(isoPath);
        var id = text is null ? null : OsReleaseFile.Parse(text)["ID"];
        return (id == "boot2docker" ? OsReleaseCheck.Boot2Docker : OsReleaseCheck.Failed, id);
    }

    private static byte[] ReadAt(FileStream stream, long offset, int count)
    {
        if (offset >= stream.Length)
        {
            return [];
        }

        var buffer = new byte[(int)Math.Min(count, stream.Length - offset)];
        stream.Position = offset;
        stream.ReadExactly(buffer);
        return buffer;
    }
}
