using Boot2IsoKit.Debian;
using Boot2IsoKit.Downloads;
using Boot2IsoKit.Errors;
using Boot2IsoKit.Recipes;

namespace Boot2IsoKit.Planning;

/// <summary>
/// Debian packages from the configured mirror (the recipe's, <see cref="DebianMirror.EnvironmentVariable"/>,
/// or apt's own), or from a local Packages index / .deb directory named by <c>from:</c>; indexes and
/// packages are kept, verified, under <paramref name="cacheDirectory"/>.
/// </summary>
public sealed class DebianPackageSource(string cacheDirectory, IDownloader downloader, Action<string>? warning = null) : IDebianSource
{
    public const string DefaultSuite = "bookworm";

    public async Task ExtractAsync(PackageSpec package, string? mirror, string recipeSource, string donorRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        var name = package.Deb ?? throw new ArgumentException("not a Debian package", nameof(package));
        var repository = new DebianRepository(
            DebianMirror.FromConfiguration(mirror)
                ?? throw new Boot2IsoKitException($"{recipeSource}: package '{name}' needs a Debian mirror: set debian.mirror in the recipe, {DebianMirror.EnvironmentVariable}, or run on a host with apt configured"),
            cacheDirectory,
            downloader);
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
