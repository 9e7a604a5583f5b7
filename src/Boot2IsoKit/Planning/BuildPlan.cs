using Boot2IsoKit.Initramfs;
using Boot2IsoKit.Layouts;
using Boot2IsoKit.Rootfs;

namespace Boot2IsoKit.Planning;

/// <summary>
/// Everything a builder needs, resolved from a recipe and the command line: both builders (native
/// remaster and docker) take the same plan, so the same recipe gives the same rootfs changes.
/// </summary>
public sealed record BuildPlan
{
    public required string RecipeName { get; init; }

    public required IsoLayout Layout { get; init; }

    /// <summary>The boot2docker release the base comes from ("19.03.12", "18.06.1-ce").</summary>
    public required string BaseVersion { get; init; }

    /// <summary>Local base ISO (native builder).</summary>
    public string? BaseIsoPath { get; init; }

    /// <summary>Base image name (docker builder), e.g. boot2docker/boot2docker:19.03.12.</summary>
    public string? BaseImage { get; init; }

    public EngineInput? Engine { get; init; }

    /// <summary>Files the recipe adds: overlays and injected binaries with their libraries.
    /// Engine binaries, version files, os-release and motd are stamped by the builders from the fields below.</summary>
    public required RootfsOverlay Overlay { get; init; }

    /// <summary>Text appended to the base's /etc/motd, or null.</summary>
    public string? MotdBanner { get; init; }

    /// <summary>ISO volume identifier (≤ 32 bytes; docker-machine reads the version after "-v").</summary>
    public required string VolumeLabel { get; init; }

    /// <summary>The version written to os-release, /etc/version (old layout) and the application id.</summary>
    public required string StampedVersion { get; init; }

    public InitrdOverlayMode InitrdMode { get; init; } = InitrdOverlayMode.Append;

    public required string OutputPath { get; init; }

    /// <summary>Seconds since the epoch for every timestamp written (SOURCE_DATE_EPOCH or the newest input).</summary>
    public long Timestamp { get; init; }

    /// <summary>Where each injected binary (or its bundled-mode wrapper) lands; Verify runs each.</summary>
    public IReadOnlyList<string> InjectedBinaries { get; init; } = [];
}

/// <summary>The Docker engine to pin: a local tgz (offline) or a URL with an optional pinned checksum.</summary>
public sealed record EngineInput(string Version, string? LocalTgz, Uri? Url, string? Sha256);
