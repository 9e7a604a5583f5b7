using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// Everything a builder needs, complete: the base, the whole root filesystem delta with its final bytes
/// and modes (overlay files, engine binaries, injected binaries and their libraries, os-release, motd,
/// version files: all computed once, in C#, by <see cref="BuildPlanner"/>), and the ISO's metadata.
/// A builder (<see cref="IIsoBuilder"/>) decides nothing about content: the native one adds the delta to
/// the base initrd, the docker one copies it into the image's rootfs and runs the image's ISO script,
/// so the same plan gives the same files either way. Disposing the plan closes a base ISO it holds.
/// </summary>
internal sealed record BuildPlan : IDisposable
{
    public required string RecipeName { get; init; }

    /// <summary>What the ISO is made from: a base ISO file (native builder) or a base image (docker builder).</summary>
    public required BuildBase Base { get; init; }

    /// <summary>The boot2docker release the base comes from ("19.03.12", "18.06.1-ce").</summary>
    public required string BaseVersion { get; init; }

    /// <summary>Every path the build adds or replaces in the base rootfs, with its final bytes.</summary>
    public required RootfsOverlay Delta { get; init; }

    public required IsoMetadata Iso { get; init; }

    /// <summary>The version written to os-release, /etc/version (old layout) and the ISO's /version.</summary>
    public required string StampedVersion { get; init; }

    /// <summary>The pinned engine (for the build record), or null when the base's engine is kept.</summary>
    public EngineInput? Engine { get; init; }

    public InitrdOverlayMode InitrdMode { get; init; } = InitrdOverlayMode.Append;

    /// <summary>What a merge writes a legacy-lzma or xz base as (see <see cref="Model.Recipes.Recipe.MergeCompression"/>).</summary>
    public InitrdCompression MergeCompression { get; init; } = InitrdCompression.Xz;

    public required string OutputPath { get; init; }

    /// <summary>Where each injected binary (or its bundled-mode wrapper) lands; Verify runs each.</summary>
    public IReadOnlyList<string> InjectedBinaries { get; init; } = [];

    /// <summary>What the delta was made from and which of it put each path there (the bill of materials' facts).</summary>
    public BuildMaterials Materials { get; init; } = BuildMaterials.None;

    /// <summary>Open inputs the delta's content is read from (Tiny Core images): closed with the plan.</summary>
    public IReadOnlyList<IDisposable> Held { get; init; } = [];

    public void Dispose()
    {
        if (Base is BuildBase.IsoFile iso)
        {
            iso.Opened.Dispose();
        }

        foreach (var held in Held)
        {
            held.Dispose();
        }
    }
}

/// <summary>The base of a build, as a closed choice: each builder takes exactly one kind.</summary>
internal abstract record BuildBase
{
    private BuildBase()
    {
    }

    /// <summary>A boot2docker ISO, opened (its initrd listing read), for the native builder.</summary>
    public sealed record IsoFile(BaseIso Opened) : BuildBase;

    /// <summary>A boot2docker image in the Docker engine (never pulled), for the docker builder.</summary>
    public sealed record Image(string Reference) : BuildBase;
}

/// <summary>What the ISO 9660 image says about itself, beside the rootfs.</summary>
/// <param name="VolumeLabel">Volume identifier (≤ 32 bytes; docker-machine reads the version after "-v").</param>
/// <param name="RootFiles">Files at the ISO root the layout keeps outside the initrd (the old layout's /version), path → text.</param>
/// <param name="Timestamp">Every date written: the source date (SOURCE_DATE_EPOCH or the newest input date).</param>
internal sealed record IsoMetadata(string VolumeLabel, IReadOnlyDictionary<string, string> RootFiles, DateTimeOffset Timestamp)
{
    /// <summary>Files of the ISO's own file system outside the initrd (the recipe's images: archives), by ISO path.</summary>
    public IReadOnlyList<MediumFile> MediumFiles { get; init; } = [];

    /// <summary>Seconds since the epoch, as cpio, tar and SOURCE_DATE_EPOCH write it.</summary>
    public long UnixTime => Timestamp.ToUnixTimeSeconds();

    /// <summary>The metadata of a <paramref name="layout"/> ISO: the old layout keeps the version in /version too.</summary>
    public static IsoMetadata For(IsoLayout layout, string volumeLabel, string stampedVersion, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var rootFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        if (layout.IsoVersionFile is { } versionFile)
        {
            rootFiles[versionFile] = stampedVersion + "\n";
        }

        return new IsoMetadata(volumeLabel, rootFiles, timestamp);
    }
}

/// <summary>The Docker engine pinned: its version, the tgz it came from (local, after any download) and where it was fetched.</summary>
/// <param name="BinaryNames">The binaries it puts into /usr/local/bin.</param>
/// <param name="Channel">The download site's channel it came from; null for a local tgz or a URL of the recipe's.</param>
internal sealed record EngineInput(string Version, string Tgz, Uri? Url, string? Sha256, IReadOnlyList<string> BinaryNames, Boot2IsoKit.Inputs.Engines.EngineChannel? Channel = null);
