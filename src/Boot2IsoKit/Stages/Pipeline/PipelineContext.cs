using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Plumbing.Logging;

namespace Boot2IsoKit.Stages.Pipeline;

/// <summary>
/// Where the pipeline runs: the repository (recipes, overlays, artifacts/), the directory the user
/// called build.sh from (their relative paths mean that directory), the input cache and the log.
/// </summary>
public sealed class PipelineContext : IDisposable
{
    public PipelineContext(string repositoryRoot, string invocationDirectory, PipelineArguments arguments, PipelineLog log)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        RepositoryRoot = Path.GetFullPath(repositoryRoot);
        InvocationDirectory = Path.GetFullPath(invocationDirectory);
        Arguments = arguments;
        Log = log;
        Artifacts = Path.Combine(RepositoryRoot, "artifacts");
        var cacheRoot = arguments.CacheDirectory is { } cache ? FromCommandLine(cache) : Path.Combine(Artifacts, "cache");
        var bars = new Dictionary<string, IProgress<ProgressReport>>(StringComparer.Ordinal);
        _downloader = new Downloader(new DownloaderOptions
        {
            Progress = new CallbackProgress<DownloadProgress>(p =>
            {
                lock (bars)
                {
                    if (!bars.TryGetValue(p.Description, out var bar))
                    {
                        bars[p.Description] = bar = log.Progress("downloading " + p.Description);
                    }

                    bar.Report(new ProgressReport(p.BytesReceived, p.TotalBytes ?? 0));
                }
            }),
        });
        Cache = new InputCacheStore(cacheRoot, _downloader, arguments.Offline);
        SourceDateEpoch = Boot2IsoKit.Plumbing.Reproducibility.SourceDate.FromEnvironment()?.ToUnixTimeSeconds();
    }

    private readonly Downloader _downloader;
    private ScratchDirectory? _scratch;

    public string RepositoryRoot { get; }

    public string InvocationDirectory { get; }

    public string Artifacts { get; }

    public PipelineArguments Arguments { get; }

    public PipelineLog Log { get; }

    internal IDownloader Downloader => _downloader;

    internal InputCacheStore Cache { get; }

    /// <summary>SOURCE_DATE_EPOCH, read once when the run starts (null when unset).</summary>
    public long? SourceDateEpoch { get; }

    /// <summary>The root whose etc/apt names the default Debian mirror ("/": this host's apt configuration).</summary>
    public string AptRoot { get; init; } = "/";

    /// <summary>Debian indexes and packages live in the input cache directory too, so one export carries everything.</summary>
    public string DebianCacheDirectory => Path.Combine(Cache.Root, "debian");

    /// <summary>Listings of decoded base initrds, by the sha256 of the initrd (see <see cref="Boot2IsoKit.Inputs.BaseIsos.BaseIndexCache"/>).</summary>
    public string BaseIndexDirectory => Path.Combine(Cache.Root, "base-index");

    /// <summary>
    /// A private work directory for this run (donor roots of injected packages, spooled files), under
    /// artifacts/work/ so concurrent builds never share one; removed when the context is disposed, or by
    /// the next run if this one is killed first (it holds a lock while it lives: <see cref="ScratchDirectory"/>).
    /// </summary>
    public string Scratch
    {
        get
        {
            if (_scratch is null)
            {
                // Runs killed before they could clean up left theirs: their locks are free now.
                var work = Path.Combine(Artifacts, "work");
                StaleScratch.RemoveAndSay(work, "*", Log);
                _scratch = ScratchDirectory.Create(Path.Combine(work, $"{DateTime.UtcNow:yyyyMMddTHHmmss}-{Environment.ProcessId}-{Guid.NewGuid():N}"));
            }

            return _scratch.Path;
        }
    }

    public void Dispose()
    {
        _downloader.Dispose();
        _scratch?.Dispose();
        _scratch = null;
    }

    /// <summary>A path typed on the command line: relative to where the user ran build.sh.</summary>
    public string FromCommandLine(string path) => Path.GetFullPath(path, InvocationDirectory);

    /// <summary>A path written in a recipe or repository file: relative to the repository root.</summary>
    public string FromRepository(string path) => Path.GetFullPath(path, RepositoryRoot);
}
