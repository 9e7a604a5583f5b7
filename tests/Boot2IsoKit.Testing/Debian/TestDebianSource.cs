using Boot2IsoKit.Inputs.Debian;

namespace Boot2IsoKit.Testing.Debian;

/// <summary>
/// The Debian mirror tests download real packages from: read from B2IK_DEBIAN_MIRROR or this host's apt
/// configuration, never named in the repository. Indexes and .debs are cached under
/// artifacts/cache/debian so repeated runs do not download again.
/// </summary>
internal static class TestDebianSource
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, PackagesIndex> Indexes = new(StringComparer.Ordinal);

    /// <summary>The configured mirror, or null (callers skip, or fail under CI).</summary>
    public static DebianMirror? Mirror => DebianMirror.FromConfiguration();

    public static string CacheDirectory => Path.Combine(RepositoryRoot(), "artifacts", "cache", "debian");

    public static DebianRepository Repository(DebianMirror mirror) => new(mirror, CacheDirectory);

    /// <summary>Each index is parsed once per test run (they are tens of megabytes).</summary>
    public static async Task<PackagesIndex> IndexAsync(DebianMirror mirror, string suite, string architecture = "amd64", CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var key = $"{mirror}|{suite}|{architecture}";
            if (!Indexes.TryGetValue(key, out var index))
            {
                index = await Repository(mirror).LoadIndexAsync(suite, architecture, cancellationToken: cancellationToken).ConfigureAwait(false);
                Indexes[key] = index;
            }

            return index;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Downloads (or takes from the cache) one package of a suite and extracts it into a fresh directory under <paramref name="parent"/>.</summary>
    public static async Task<string> ExtractAsync(DebianMirror mirror, string suite, string package, string parent, string architecture = "amd64", CancellationToken cancellationToken = default)
    {
        var index = await IndexAsync(mirror, suite, architecture, cancellationToken).ConfigureAwait(false);
        var info = index.Find(package) ?? throw new InvalidOperationException($"{package} is not in {index.Description}");
        var deb = await Repository(mirror).DownloadAsync(info, cancellationToken).ConfigureAwait(false);
        var directory = Path.Combine(parent, $"{suite}-{architecture}-{package}");
        DebPackage.Open(deb).ExtractData(directory);
        return directory;
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Boot2IsoKit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Boot2IsoKit.sln) above " + AppContext.BaseDirectory);
    }
}
