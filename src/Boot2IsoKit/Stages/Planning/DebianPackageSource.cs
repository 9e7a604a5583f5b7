using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// Debian packages from the configured mirror (the recipe's, <see cref="DebianMirror.EnvironmentVariable"/>,
/// or apt's own), or from a local Packages index / .deb directory named by <c>from:</c>; indexes and
/// packages are kept, verified, under <paramref name="cacheDirectory"/>.
/// </summary>
/// <param name="aptRoot">The root whose etc/apt names the default mirror ("/": this host's apt configuration).</param>
/// <param name="refresh">Ask the mirror for its Release file even when the cached one is fresh.</param>
internal sealed class DebianPackageSource(string cacheDirectory, IDownloader downloader, Action<string>? warning = null, string aptRoot = "/", bool refresh = false) : IDebianSource
{
    public const string DefaultSuite = "bookworm";

    // One load per mirror and suite, shared by every request of the build (and started early, see StartLoadingIndexes).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(Uri Mirror, string Suite), Lazy<Task<PackagesIndex>>> _indexes = new();

    public void StartLoadingIndexes(string? mirror, IEnumerable<string?> suites, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suites);
        if (DebianMirror.FromConfiguration(mirror, aptRoot) is not { } configured)
        {
            return; // ExtractAsync names the request that needs a mirror
        }

        var repository = Repository(configured);
        foreach (var suite in suites.Distinct())
        {
            _ = Task.Run(() => IndexAsync(repository, suite ?? DefaultSuite, cancellationToken), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<ExtractedDebianPackage>> ExtractAsync(DebianRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Local .debs (from:) need no mirror.
        var configured = DebianMirror.FromConfiguration(request.Mirror, aptRoot);
        if (configured is null && request.LocalIndex is null)
        {
            throw new DebianMirrorNotConfiguredException(request.Location, string.Join(", ", request.Names));
        }

        var repository = Repository(configured);
        var index = request.LocalIndex is { } local
            ? PackagesIndex.FromLocal(local)
            : await IndexAsync(repository, request.Suite ?? DefaultSuite, cancellationToken).ConfigureAwait(false);
        var resolved = index.Resolve(request.Names);
        foreach (var problem in resolved.Warnings)
        {
            warning?.Invoke($"{string.Join(", ", request.Names)}: {problem}");
        }

        var suite = request.LocalIndex is null ? request.Suite ?? DefaultSuite : null;
        var extracted = await repository.ExtractAllAsync(resolved.Packages, request.DonorRoot, cancellationToken: cancellationToken).ConfigureAwait(false);

        // Licences are read once everything is unpacked: a package's doc directory may be a link into another's.
        var result = new List<ExtractedDebianPackage>(extracted.Count);
        foreach (var (package, deb, files) in extracted)
        {
            result.Add(new ExtractedDebianPackage(
                package,
                suite,
                package.LocalPath is null && package.Filename is { } filename ? repository.Mirror.Resolve(filename) : null,
                package.LocalPath is null && package.Sha256 is { } pinned ? pinned : await FileHash.Sha256Async(deb, cancellationToken).ConfigureAwait(false),
                DebianCopyright.LicenseExpression(Path.Combine(request.DonorRoot, "usr", "share", "doc", package.Name, "copyright")),
                files));
        }

        return result;
    }

    private DebianRepository Repository(DebianMirror? mirror) => new(mirror, cacheDirectory, downloader) { Refresh = refresh };

    private Task<PackagesIndex> IndexAsync(DebianRepository repository, string suite, CancellationToken cancellationToken) =>
        _indexes.GetOrAdd((repository.Mirror.BaseUri, suite), _ => new Lazy<Task<PackagesIndex>>(() => repository.LoadIndexAsync(suite, cancellationToken: cancellationToken))).Value;
}
