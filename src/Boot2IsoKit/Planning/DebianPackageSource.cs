using Boot2IsoKit.Debian;
using Boot2IsoKit.Downloads;
using Boot2IsoKit.Recipes;

namespace Boot2IsoKit.Planning;

/// <summary>
/// Debian packages from the configured mirror (the recipe's, <see cref="DebianMirror.EnvironmentVariable"/>,
/// or apt's own), or from a local Packages index / .deb directory named by <c>from:</c>; indexes and
/// packages are kept, verified, under <paramref name="cacheDirectory"/>.
/// </summary>
/// <param name="aptRoot">The root whose etc/apt names the default mirror ("/": this host's apt configuration).</param>
/// <param name="refresh">Ask the mirror for its Release file even when the cached one is fresh.</param>
public sealed class DebianPackageSource(string cacheDirectory, IDownloader downloader, Action<string>? warning = null, string aptRoot = "/", bool refresh = false) : IDebianSource
{
    public const string DefaultSuite = "bookworm";

    public async Task ExtractAsync(PackageSpec package, string? mirror, string recipeSource, string donorRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        var name = package.Deb ?? throw new ArgumentException("not a Debian package", nameof(package));
        // Local .debs (from:) need no mirror.
        var configured = DebianMirror.FromConfiguration(mirror, aptRoot);
        if (configured is null && package.From is null)
        {
            throw new DebianMirrorNotConfiguredException($"{recipeSource}: line {package.Line}", name);
        }

        var repository = new DebianRepository(configured, cacheDirectory, downloader) { Refresh = refresh };
        var index = package.From is { } local
            ? PackagesIndex.FromLocal(local)
            : await repository.LoadIndexAsync(package.Suite ?? DefaultSuite, cancellationToken: cancellationToken).ConfigureAwait(false);
        var resolved = index.Resolve([name]);
        foreach (var problem in resolved.Warnings)
        {
            warning?.Invoke($"{name}: {problem}");
        }

        await repository.ExtractAllAsync(resolved.Packages, donorRoot, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
