using System.Security.Cryptography;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.TinyCore;

/// <summary>Fetches extensions by name, with their .dep chains, from the mirror of a Tiny Core major release (10 for "10.x").</summary>
internal delegate Task<IReadOnlyList<ResolvedExtension>> ExtensionFetcher(IReadOnlyList<string> names, int releaseMajor, CancellationToken cancellationToken);

/// <summary>
/// A recipe's <c>extensions:</c>, start to end: the mirror and release chosen, names resolved and fetched
/// (<see cref="ExtensionResolver"/>), local .tcz files taken as they are, and all of them installed into the
/// overlay (<see cref="ExtensionInstaller"/>). The returned installer holds the images open: dispose it
/// after the overlay has been written.
/// </summary>
internal static class TinyCoreExtensions
{
    /// <param name="readBaseText">Text of a base rootfs file (for the release), or null; null when there is no base to read.</param>
    /// <param name="baseHasPath">Whether the base rootfs has a path.</param>
    /// <param name="fetch">Fetches the extensions named without a path (the planner's input resolver, through the input cache).</param>
    /// <param name="fromRepository">Resolves a recipe path against the repository root.</param>
    public static async Task<(ExtensionInstaller Installer, ExtensionInstallReport Report)> AddToAsync(
        RootfsOverlay overlay,
        Recipe recipe,
        Func<string, string?>? readBaseText,
        Func<string, bool> baseHasPath,
        ExtensionFetcher fetch,
        Func<string, string> fromRepository,
        long timestamp,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(fromRepository);
        var remote = recipe.Extensions.Where(e => !e.Contains('/', StringComparison.Ordinal)).ToList();
        var resolved = new List<ResolvedExtension>();
        if (remote.Count > 0)
        {
            var major = recipe.TinyCoreRelease ?? (readBaseText is null ? null : TinyCoreMirror.DetectMajorVersion(readBaseText))
                ?? throw new InvalidInputException(recipe.SourcePath, "extensions", "the base's Tiny Core release cannot be told (no usr/share/doc/tc/release.txt, no \"(TCL x.y)\" in os-release, or no base ISO): set tinycore.release: 10.x");
            resolved.AddRange(await fetch(remote, major, cancellationToken).ConfigureAwait(false));
        }

        foreach (var local in recipe.Extensions.Where(e => e.Contains('/', StringComparison.Ordinal)))
        {
            resolved.Add(await LocalAsync(fromRepository(local), cancellationToken).ConfigureAwait(false));
        }

        var installer = ExtensionInstaller.Open(resolved);
        try
        {
            return (installer, installer.AddTo(overlay, baseHasPath, timestamp));
        }
        catch
        {
            installer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fetches through <paramref name="cache"/> from the recipe's mirror, else the one the environment names
    /// (<see cref="TinyCoreMirror.MirrorVariable"/>), else Tiny Core's own site.
    /// </summary>
    public static ExtensionFetcher Through(InputCacheStore cache, string? recipeMirror, Func<string, string?> environment) =>
        (names, major, cancellationToken) =>
            new ExtensionResolver(new TinyCoreMirror(TinyCoreMirror.ChooseMirror(recipeMirror, environment), major), cache).ResolveAsync(names, cancellationToken);

    /// <summary>A local .tcz: no mirror, no .dep, no md5 file to check against (its md5 is reported).</summary>
    public static async Task<ResolvedExtension> LocalAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new InvalidInputException(path, "extensions", "the local extension does not exist");
        }

        await using var stream = File.OpenRead(path);
#pragma warning disable CA5351 // md5 is how Tiny Core names an extension's content; reported, not trusted
        var md5 = Convert.ToHexStringLower(await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
#pragma warning restore CA5351
        return new ResolvedExtension(Path.GetFileName(path), path, new Uri(Path.GetFullPath(path)), md5);
    }
}
