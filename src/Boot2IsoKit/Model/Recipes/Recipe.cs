using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Stages.Injection;
using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Model.Recipes;

/// <summary>
/// A recipe: what to change in which boot2docker base. Loaded from YAML by <see cref="RecipeLoader"/>;
/// paths in it are relative to the recipe file's directory's parent (the repository root) unless absolute.
/// </summary>
internal sealed record Recipe
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>The YAML file it came from (for messages), or "" when built in code.</summary>
    public string SourcePath { get; init; } = "";

    public required BaseSpec Base { get; init; }

    public EngineSpec? Engine { get; init; }

    public LabelStrategy Label { get; init; } = LabelStrategy.Truthful;

    /// <summary>An explicit volume identifier; overrides <see cref="Label"/>.</summary>
    public string? VolumeId { get; init; }

    /// <summary>Text appended to the base's /etc/motd.</summary>
    public string? Motd { get; init; }

    /// <summary>Directories whose trees are copied into the rootfs, in order (later wins).</summary>
    public IReadOnlyList<string> Overlays { get; init; } = [];

    public IReadOnlyList<PackageSpec> Packages { get; init; } = [];

    public InitrdOverlayMode Initrd { get; init; } = InitrdOverlayMode.Append;

    /// <summary>
    /// What a merge writes the rootfs as, for a base in legacy lzma or xz: xz (on every core) or legacy
    /// lzma, for a kernel built without XZ support. Other bases keep their own compression.
    /// </summary>
    public InitrdCompression MergeCompression { get; init; } = InitrdCompression.Xz;

    /// <summary>Output ISO path; default artifacts/boot2docker-&lt;name&gt;.iso.</summary>
    public string? Output { get; init; }

    /// <summary>Debian mirror for deb packages; null = environment or apt's configuration.</summary>
    public string? DebianMirror { get; init; }

    /// <summary>
    /// Tiny Core extensions, in order: names on the mirror ("ipvsadm.tcz", with their .dep dependencies) or
    /// local .tcz files (a path with '/', relative to the repository root; taken as they are, without dependencies).
    /// </summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];

    /// <summary>Tiny Core mirror (as /opt/tcemirror names it); null = B2IK_TINYCORE_MIRROR or Tiny Core's site.</summary>
    public string? TinyCoreMirror { get; init; }

    /// <summary>Tiny Core major version of the base (10 for boot2docker v19.03.x); null = read from the base ISO.</summary>
    public int? TinyCoreRelease { get; init; }

    /// <summary>Shell commands Verify runs as the docker user over SSH in the booted ISO; each must exit 0.</summary>
    public IReadOnlyList<string> Verify { get; init; } = [];

    /// <summary>PEM files whose certificates the VM trusts (Stages/Certificates).</summary>
    public IReadOnlyList<CertificateSpec> Certificates { get; init; } = [];

    /// <summary>Bake expired certificates with a warning (--allow-expired-certificates).</summary>
    public bool AllowExpiredCertificates { get; init; }

    /// <summary>dockerd settings (Stages/DaemonSettings), in recipe order.</summary>
    public IReadOnlyList<DaemonSetting> Daemon { get; init; } = [];

    /// <summary>Container images loaded into the VM's dockerd after boot (Stages/Images), in recipe order.</summary>
    public IReadOnlyList<ImageSpec> Images { get; init; } = [];

    /// <summary>How to reach the registries <see cref="Images"/> are pulled from, by host.</summary>
    public IReadOnlyList<RegistrySpec> Registries { get; init; } = [];
}

/// <param name="Release">boot2docker release tag, e.g. v19.03.12.</param>
/// <param name="Repository">GitHub owner/name the release comes from.</param>
/// <param name="Asset">ISO asset name in that release.</param>
/// <param name="Image">Base image repository for the docker builder (tag = release without the v).</param>
/// <param name="Iso">A local base ISO; when set, nothing is resolved or fetched for the base.</param>
/// <param name="ImageReference">A whole image reference that replaces <paramref name="Image"/>:tag (--base-image).</param>
internal sealed record BaseSpec(string Release, string Repository, string Asset, string Image, string? Iso, string? ImageReference = null)
{
    /// <summary>The boot2docker version of the release ("19.03.12"), or null when only a local ISO names the base.</summary>
    public string? Version => Release.Length > 0 ? Boot2IsoKit.Model.Layouts.Boot2DockerVersion.Parse(Release).ToString() : null;
}

/// <param name="Version">Engine version to pin (17.06.0-ce, 19.03.12, 1.12.0-rc4...).</param>
/// <param name="Channel">stable, test, experimental, nightly; null = chosen from the version.</param>
/// <param name="Url">Explicit tgz URL; overrides the channel.</param>
/// <param name="Sha256">Pinned sha256 of the tgz; always checked when given.</param>
/// <param name="Tgz">A local tgz; when set, nothing is fetched for the engine.</param>
/// <param name="Sources">Download sites by channel key (base, stable, test, ...); the environment's B2IK_ENGINE_BASE_URL* win.</param>
internal sealed record EngineSpec(string Version, string? Channel, string? Url, string? Sha256, string? Tgz, IReadOnlyDictionary<string, string> Sources)
{
    /// <summary>For a dynamically linked engine (Debian's docker.io): the Debian packages that provide its libraries.</summary>
    public EngineLibrariesSpec? Libraries { get; init; }
}

/// <param name="Debs">Debian package names (their dependencies come too).</param>
/// <param name="Suite">Debian suite, e.g. bookworm.</param>
/// <param name="Line">Line of the entry in the recipe, for messages.</param>
internal sealed record EngineLibrariesSpec(IReadOnlyList<string> Debs, string Suite, int Line);

/// <summary>A binary to inject, from a Debian package or the build host, with its shared libraries.</summary>
internal sealed record PackageSpec
{
    /// <summary>Debian package name, or null for a host binary.</summary>
    public string? Deb { get; init; }

    /// <summary>Debian suite for <see cref="Deb"/> (bookworm, bullseye...).</summary>
    public string? Suite { get; init; }

    /// <summary>A local .deb file or a directory of .debs to take the package from (air-gapped).</summary>
    public string? From { get; init; }

    /// <summary>A binary on the build host (or a donor root), e.g. /usr/sbin/ipvsadm.</summary>
    public string? Host { get; init; }

    /// <summary>Binaries of the package to inject; default: every file under */bin and */sbin.</summary>
    public IReadOnlyList<string> Binaries { get; init; } = [];

    public InjectionMode Mode { get; init; } = InjectionMode.Auto;

    /// <summary>Line of the entry in the recipe, for messages.</summary>
    public int Line { get; init; }

    public string DisplayName => Deb ?? Host ?? "?";
}
