using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.InputCache;

/// <summary>
/// A content-addressed store of build inputs: files live at <c>sha256/&lt;hex&gt;</c> under the root and
/// <c>manifest.json</c> says what each one is (kind, version, URL, size, when fetched). Online, a missing
/// input is downloaded, verified and added; offline, the network is never touched and every missing input
/// is reported at once. The whole store travels to an air-gapped builder as one tar.gz
/// (<see cref="InputCacheArchive"/>).
/// </summary>
internal sealed class InputCacheStore
{
    public const string ManifestFileName = "manifest.json";
    public const string BlobDirectory = "sha256";

    private const string IncomingDirectory = "incoming";
    private const string LockFileName = ".lock";

    private readonly IDownloader? _downloader;

    /// <param name="root">The cache directory (the pipeline's default is <c>artifacts/cache</c>).</param>
    /// <param name="downloader">Fetches what is missing; may be null when <paramref name="offline"/>.</param>
    /// <param name="offline">Never use the network: missing inputs are errors.</param>
    public InputCacheStore(string root, IDownloader? downloader, bool offline = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!offline && downloader is null)
        {
            throw new ArgumentNullException(nameof(downloader), "An online cache needs a downloader.");
        }

        Root = Path.GetFullPath(root);
        _downloader = downloader;
        Offline = offline;
    }

    public string Root { get; }

    public bool Offline { get; }

    /// <summary>Re-hash a cached file every time it is handed out (default on: a flipped bit is caught before it reaches an ISO).</summary>
    public bool VerifyOnRead { get; init; } = true;

    /// <summary>Everything the manifest lists, with <see cref="CachedInput.Path"/> set.</summary>
    public IReadOnlyList<CachedInput> Entries => ReadManifest().Inputs.Select(WithPath).ToList();

    public string BlobPath(string sha256) => Path.Combine(Root, BlobDirectory, CheckedSha(sha256));

    /// <summary>The cached entry for <paramref name="request"/>, or null. Never touches the network.</summary>
    public CachedInput? Find(InputRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var inputs = ReadManifest().Inputs;
        var found = request.Sha256 is { } pinned
            ? inputs.FirstOrDefault(e => string.Equals(e.Sha256, pinned.Trim(), StringComparison.OrdinalIgnoreCase) && e.Kind == request.Kind)
                ?? inputs.FirstOrDefault(e => string.Equals(e.Sha256, pinned.Trim(), StringComparison.OrdinalIgnoreCase))
            : inputs.LastOrDefault(e => e.Matches(request));
        if (found is null || (request.Size is { } size && found.Size != size))
        {
            return null;
        }

        var entry = WithPath(found);
        return File.Exists(entry.Path) && new FileInfo(entry.Path).Length == entry.Size ? entry : null;
    }

    /// <summary>
    /// The most recently fetched input of a kind (and file name): what "latest" means offline, where no
    /// release API can be asked. Null when none is cached.
    /// </summary>
    public CachedInput? Newest(string kind, string? name = null)
    {
        var found = ReadManifest().Inputs
            .Where(e => e.Kind == kind && (name is null || e.Name == name) && File.Exists(BlobPath(e.Sha256)))
            .MaxBy(e => e.FetchedAt);
        return found is null ? null : WithPath(found);
    }

    public CachedInput? FindBySha256(string sha256)
    {
        var sha = CheckedSha(sha256);
        var found = ReadManifest().Inputs.FirstOrDefault(e => e.Sha256 == sha);
        return found is not null && File.Exists(BlobPath(sha)) ? WithPath(found) : null;
    }

    /// <summary>The requests the cache cannot satisfy, in order. Never touches the network.</summary>
    public IReadOnlyList<MissingInput> FindMissing(IEnumerable<InputRequest> requests) =>
        requests.Where(r => Find(r) is null).Select(r => new MissingInput(r.Kind, r.Version, r.Url, r.Sha256)).ToList();

    /// <summary>The cached file for <paramref name="request"/>, fetching it first when online.</summary>
    /// <exception cref="MissingInputsException">Offline and not cached.</exception>
    public async Task<CachedInput> GetAsync(InputRequest request, CancellationToken cancellationToken = default) =>
        (await GetAllAsync([request], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// All of <paramref name="requests"/>, in order. Offline, every missing input is listed in one
    /// <see cref="MissingInputsException"/> before anything else happens.
    /// </summary>
    public async Task<IReadOnlyList<CachedInput>> GetAllAsync(IEnumerable<InputRequest> requests, CancellationToken cancellationToken = default)
    {
        var list = requests.ToList();
        if (Offline)
        {
            var missing = FindMissing(list.Where(r => !r.Url.IsFile || _downloader is null));
            if (missing.Count > 0)
            {
                throw new MissingInputsException(Root, missing);
            }
        }

        var results = new List<CachedInput>(list.Count);
        foreach (var request in list)
        {
            var cached = Find(request);
            if (cached is not null && (!VerifyOnRead || await HashAsync(cached.Path, cancellationToken).ConfigureAwait(false) == cached.Sha256))
            {
                results.Add(cached);
                continue;
            }

            if (Offline && !request.Url.IsFile)
            {
                // A cached file that no longer matches its hash counts as missing.
                throw new MissingInputsException(Root, [new MissingInput(request.Kind, request.Version, request.Url, request.Sha256)]);
            }

            results.Add(await FetchAsync(request, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>
    /// Records bytes the caller derived for <paramref name="request"/> instead of fetching it (an optional file
    /// the server does not have, recorded as empty), so an offline build finds the same answer.
    /// </summary>
    public async Task<CachedInput> RecordAsync(InputRequest request, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sha = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var incoming = IncomingPath($"recorded-{sha[..16]}");
        Directory.CreateDirectory(Path.GetDirectoryName(incoming)!);
        await File.WriteAllBytesAsync(incoming, content, cancellationToken).ConfigureAwait(false);
        return await RecordFileAsync(request, incoming, sha, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds a file the caller fetched and verified itself (a registry blob, fetched with the registry's own
    /// authentication) at its content address, moving it there, and records it for <paramref name="request"/>.
    /// </summary>
    public async Task<CachedInput> RecordFileAsync(InputRequest request, string verifiedFile, string sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sha = CheckedSha(sha256);
        var entry = new CachedInput
        {
            Kind = request.Kind,
            Version = request.Version,
            Name = request.FileName,
            // AbsoluteUri, not the Uri as given: a bare path ("/x.iso") serializes as a relative URL.
            Url = new Uri(request.Url.AbsoluteUri),
            Sha256 = sha,
            Size = PlaceBlob(verifiedFile, sha),
            FetchedAt = DateTimeOffset.UtcNow,
        };
        await UpdateManifestAsync([entry], cancellationToken).ConfigureAwait(false);
        return WithPath(entry);
    }

    private async Task<CachedInput> FetchAsync(InputRequest request, CancellationToken cancellationToken)
    {
        // A stable name per URL lets an interrupted download resume on the next run.
        var urlKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Url.AbsoluteUri)))[..16];
        var incoming = Path.Combine(Root, IncomingDirectory, $"{urlKey}-{SafeName(request.FileName)}");
        var sha = await _downloader!.DownloadAsync(new DownloadRequest(request.Url, incoming, request.Sha256?.Trim().ToLowerInvariant(), request.Size, request.FileName), cancellationToken).ConfigureAwait(false);
        return await RecordFileAsync(request, incoming, sha, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the whole cache (manifest and files) to one tar.gz for an air-gapped builder.</summary>
    public Task<int> ExportAsync(string archivePath, CancellationToken cancellationToken = default) =>
        InputCacheArchive.ExportAsync(this, archivePath, cancellationToken);

    /// <summary>Adds an exported archive's inputs, verifying every sha256. Works offline.</summary>
    public Task<int> ImportAsync(string archivePath, CancellationToken cancellationToken = default) =>
        InputCacheArchive.ImportAsync(this, archivePath, cancellationToken);

    /// <summary>Moves a verified file to its content address (or drops it when the content is already there).</summary>
    internal long PlaceBlob(string verifiedFile, string sha256)
    {
        // Always replace: the file already at that address may be the damaged copy that caused this fetch.
        var blob = BlobPath(sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.Move(verifiedFile, blob, overwrite: true);
        return new FileInfo(blob).Length;
    }

    internal string IncomingPath(string name) => Path.Combine(Root, IncomingDirectory, name);

    /// <summary>Adds or replaces entries (same kind and identity) under a lock, re-reading the manifest first.</summary>
    internal async Task UpdateManifestAsync(IReadOnlyList<CachedInput> entries, CancellationToken cancellationToken)
    {
        // The lock file is exclusive across processes and across handles in this process alike.
        using var exclusive = await AcquireFileLockAsync(cancellationToken).ConfigureAwait(false);
        var manifest = ReadManifest();
        foreach (var entry in entries)
        {
            var stored = entry with { Path = string.Empty };
            manifest.Inputs.RemoveAll(e => e.Kind == stored.Kind && e.Url == stored.Url && e.Name == stored.Name
                && string.Equals(e.Version, stored.Version, StringComparison.OrdinalIgnoreCase));
            manifest.Inputs.Add(stored);
        }

        await AtomicFile.WriteAsync(ManifestPath, (s, ct) => JsonSerializer.SerializeAsync(s, manifest, InputCacheManifest.Json, ct), cancellationToken).ConfigureAwait(false);
    }

    internal string ManifestPath => Path.Combine(Root, ManifestFileName);

    internal InputCacheManifest ReadManifest()
    {
        if (!File.Exists(ManifestPath))
        {
            return new InputCacheManifest();
        }

        using var stream = File.OpenRead(ManifestPath);
        return ParseManifest(stream, ManifestPath);
    }

    internal static InputCacheManifest ParseManifest(Stream stream, string origin)
    {
        InputCacheManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<InputCacheManifest>(stream, InputCacheManifest.Json);
        }
        catch (JsonException e)
        {
            throw new InvalidInputCacheException(origin, $"line {e.LineNumber + 1}", "not a valid input-cache manifest: " + e.Message, e);
        }

        if (manifest is null || manifest.Format != InputCacheManifest.CurrentFormat)
        {
            throw new InvalidInputCacheException(origin, "format", $"expected manifest format {InputCacheManifest.CurrentFormat}");
        }

        for (var i = 0; i < manifest.Inputs.Count; i++)
        {
            var e = manifest.Inputs[i];
            if (!IsSha(e.Sha256) || e.Size < 0 || string.IsNullOrWhiteSpace(e.Kind) || e.Url is null || !e.Url.IsAbsoluteUri)
            {
                throw new InvalidInputCacheException(origin, $"inputs[{i}]", "needs a kind, an absolute URL, a lower-case sha256 and a size");
            }
        }

        return manifest;
    }

    internal static Task<string> HashAsync(string path, CancellationToken cancellationToken) => FileHash.Sha256Async(path, cancellationToken);

    internal static bool IsSha(string? value) => value is { Length: 64 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static string CheckedSha(string sha256) =>
        IsSha(sha256) ? sha256 : throw new ArgumentException("Expected a lower-case hex sha256.", nameof(sha256));

    private CachedInput WithPath(CachedInput entry) => entry with { Path = BlobPath(entry.Sha256) };

    private static string SafeName(string name)
    {
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        return safe.Length > 80 ? safe[..80] : safe.Length == 0 ? "input" : safe;
    }

    private async Task<FileStream> AcquireFileLockAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        var path = Path.Combine(Root, LockFileName);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 300)
            {
                // Another build is updating the manifest; it holds the lock for milliseconds.
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
