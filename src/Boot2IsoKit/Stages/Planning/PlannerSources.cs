using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Model.Recipes;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>Finds the inputs a recipe names: local files, the input cache, or a download.</summary>
internal interface IInputResolver
{
    /// <summary>
    /// Tiny Core extensions by name, with their .dep chains, from the recipe's mirror (else the environment's,
    /// else Tiny Core's site) for the major release <paramref name="releaseMajor"/> (10 for "10.x"), through the input cache.
    /// </summary>
    /// <exception cref="Boot2IsoKit.Inputs.InputCache.MissingInputsException">Offline and not cached.</exception>
    Task<IReadOnlyList<Boot2IsoKit.Inputs.TinyCore.ResolvedExtension>> ExtensionsAsync(IReadOnlyList<string> names, int releaseMajor, string? recipeMirror, CancellationToken cancellationToken = default);

    /// <summary>The local path of the base ISO (the recipe's <c>iso:</c>, else its release, fetched or cached).</summary>
    /// <exception cref="Boot2IsoKit.Inputs.InputCache.MissingInputsException">Offline and not cached.</exception>
    Task<string> BaseIsoAsync(BaseSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Opens a base ISO and reads its initrd listing (from the base index cache when it was read before).</summary>
    BaseIso OpenBase(string path);

    /// <summary>The local engine tgz (the recipe's <c>tgz:</c>, else downloaded or cached and verified).</summary>
    /// <exception cref="Boot2IsoKit.Inputs.InputCache.MissingInputsException">Offline and not cached.</exception>
    Task<FetchedEngine> EngineAsync(EngineSpec spec, string recipeSource, CancellationToken cancellationToken = default);

    /// <summary>
    /// An image reference of the recipe's <c>images:</c>, pulled by digest through the input cache (registry address and
    /// credentials from <paramref name="registries"/>, else the environment) and written as a docker-load archive in
    /// <paramref name="directory"/>, its entries dated <paramref name="timestamp"/>.
    /// </summary>
    /// <exception cref="Boot2IsoKit.Inputs.InputCache.MissingInputsException">Offline and not cached.</exception>
    Task<(string Archive, Boot2IsoKit.Stages.Images.PulledImage Pulled)> PullImageAsync(ImageSpec spec, IReadOnlyList<RegistrySpec> registries, string recipeSource, string directory, DateTimeOffset timestamp, CancellationToken cancellationToken = default);
}

/// <summary>An engine archive on local disk, where it came from and the site's channel it was taken from (null for a local file).</summary>
internal sealed record FetchedEngine(string Tgz, Uri? Url, string? Sha256, Boot2IsoKit.Inputs.Engines.EngineChannel? Channel = null);

/// <summary>Debian packages for injection: resolved with their dependencies and unpacked into a donor root.</summary>
internal interface IDebianSource
{
    /// <summary>Unpacks the named packages and what they depend on into the request's donor root; returns each package unpacked, in order.</summary>
    Task<IReadOnlyList<ExtractedDebianPackage>> ExtractAsync(DebianRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts loading the mirror indexes of <paramref name="suites"/> (null: the default suite) in the background, for
    /// the <see cref="ExtractAsync"/> calls to come; a failure shows there, with the request that needed the index.
    /// </summary>
    void StartLoadingIndexes(string? mirror, IEnumerable<string?> suites, CancellationToken cancellationToken = default)
    {
    }
}

/// <summary>One .deb unpacked into a donor root: what it is, where it came from, and the donor paths it wrote.</summary>
/// <param name="Package">Its index stanza (name, version, architecture, Filename, SHA256).</param>
/// <param name="Suite">The suite it was resolved in; null for a local .deb (<c>from:</c>).</param>
/// <param name="DownloadLocation">The mirror URL it was fetched from; null for a local .deb.</param>
/// <param name="Sha256">The sha256 of the .deb file.</param>
/// <param name="License">Its licence as an SPDX expression when its copyright file is machine-readable (DEP-5), else null.</param>
/// <param name="Files">Donor-relative paths it wrote ("usr/sbin/ipvsadm"), in archive order.</param>
internal sealed record ExtractedDebianPackage(
    Boot2IsoKit.Inputs.Debian.DebianPackageInfo Package,
    string? Suite,
    Uri? DownloadLocation,
    string Sha256,
    string? License,
    IReadOnlyList<string> Files);

/// <summary>Debian packages to unpack.</summary>
/// <param name="Names">Package names; their dependencies come too.</param>
/// <param name="Suite">The suite (bookworm, bullseye...), or null for the default.</param>
/// <param name="LocalIndex">A local .deb or a directory of .debs to take them from instead of a mirror (absolute).</param>
/// <param name="Mirror">The recipe's mirror, or null for the environment's or apt's.</param>
/// <param name="Location">Where the request comes from, for errors ("recipes/x.yml: line 12").</param>
/// <param name="DonorRoot">The directory they are unpacked into.</param>
internal sealed record DebianRequest(IReadOnlyList<string> Names, string? Suite, string? LocalIndex, string? Mirror, string Location, string DonorRoot);

/// <summary>Small files of a base image's rootfs (os-release, motd), for a docker build without a base ISO.</summary>
internal interface IBaseImageFiles
{
    /// <summary>The text of <paramref name="rootfsPath"/> ("etc/motd") in the image's rootfs, or null when absent.</summary>
    Task<string?> ReadTextAsync(string image, string rootfsPath, CancellationToken cancellationToken = default);
}
