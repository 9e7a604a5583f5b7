using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Plumbing.IO;
using SharpCompress.Compressors.Xz;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// A Debian mirror as a package source: loads a suite's Packages index (checked against the SHA256
/// list of the suite's Release file) and downloads .debs pinned to the index's SHA256 and Size, into
/// a cache keyed by sha256. The Release file's GPG signature is NOT checked (out of scope): trust
/// comes from the mirror URL the user configured.
/// <code>var repo = new DebianRepository(DebianMirror.FromConfiguration()!, cacheDir);
/// var index = await repo.LoadIndexAsync("bookworm");
/// foreach (var p in index.Resolve(["ipvsadm"]).Packages) DebPackage.Open(await repo.DownloadAsync(p)).ExtractData(root);</code>
/// </summary>
internal sealed class DebianRepository
{
    private readonly IDownloader _downloader;

    /// <param name="mirror">Null: only local packages (read from .deb files) can be extracted.</param>
    /// <param name="downloader">Null: a plain HTTP downloader.</param>
    public DebianRepository(DebianMirror? mirror, string cacheDirectory, IDownloader? downloader = null)
    {
        _mirror = mirror;
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        _downloader = downloader ?? new Downloader();
    }

    private readonly DebianMirror? _mirror;

    /// <exception cref="DebianMirrorNotConfiguredException">The repository was made for local packages only.</exception>
    public DebianMirror Mirror => _mirror ?? throw new DebianMirrorNotConfiguredException("Debian repository", "(from the mirror)");

    public string CacheDirectory { get; }

    /// <summary>
    /// How long a cached Release file is used without asking the mirror again: Debian's archive publishes
    /// new indexes four times a day, so a younger Release is at most one publication behind. Whatever it
    /// pins (the Packages index, every .deb) is still checked against its sha256.
    /// </summary>
    public static readonly TimeSpan DefaultReleaseFreshness = TimeSpan.FromHours(6);

    public TimeSpan ReleaseFreshness { get; init; } = DefaultReleaseFreshness;

    /// <summary>Fetch the Release file again even when the cached one is fresh (<c>--refresh</c>).</summary>
    public bool Refresh { get; init; }

    public async Task<PackagesIndex> LoadIndexAsync(string suite, string architecture = "amd64", string component = "main", CancellationToken cancellationToken = default)
    {
        ValidateName(suite, nameof(suite));
        ValidateName(architecture, nameof(architecture));
        ValidateName(component, nameof(component));
        var indexDirectory = Path.Combine(CacheDirectory, "dists", suite);
        var releasePath = Path.Combine(indexDirectory, "Release");
        if (Refresh || !File.Exists(releasePath) || DateTime.UtcNow - File.GetLastWriteTimeUtc(releasePath) > ReleaseFreshness)
        {
            await _downloader.DownloadAsync(new DownloadRequest(Mirror.Resolve($"dists/{suite}/Release"), releasePath, Description: $"{suite} Release"), cancellationToken).ConfigureAwait(false);
        }

        var hashes = ReadReleaseHashes(releasePath);

        foreach (var extension in new[] { ".xz", ".gz" })
        {
            var relative = $"{component}/binary-{architecture}/Packages{extension}";
            if (!hashes.TryGetValue(relative, out var pinned))
            {
                continue;
            }

            var local = Path.Combine(indexDirectory, $"{pinned.Sha256}-Packages{extension}");
            if (!File.Exists(local) || await FileHash.Sha256Async(local, cancellationToken).ConfigureAwait(false) != pinned.Sha256)
            {
                await _downloader.DownloadAsync(new DownloadRequest(Mirror.Resolve($"dists/{suite}/{relative}"), local, pinned.Sha256, pinned.Size, $"{suite} {relative}"), cancellationToken).ConfigureAwait(false);
            }

            var description = $"{Mirror} {suite}/{component}/{architecture}";
            var indexPath = local + ".index";
            if (PackagesIndexFile.TryRead(indexPath) is { } indexed)
            {
                return new PackagesIndex(indexed, description);
            }

            List<DebianPackageInfo> packages;
            await using (var file = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            await using (Stream decompressed = extension == ".xz" ? new XZStream(file) : new GZipStream(file, CompressionMode.Decompress))
            using (var reader = new StreamReader(decompressed))
            {
                packages = PackagesIndex.ParseStanzas(reader, description);
            }

            PackagesIndexFile.TryWrite(indexPath, packages);
            return new PackagesIndex(packages, description);
        }

        throw new InvalidDebianInputException(releasePath, "SHA256", $"lists no {component}/binary-{architecture}/Packages.xz or .gz (is '{architecture}' built for {suite}?)");
    }

    /// <summary>The cached .deb for a package, downloaded and verified first when needed. Local packages are returned as they are.</summary>
    public async Task<string> DownloadAsync(DebianPackageInfo package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (package.LocalPath is { } local)
        {
            return local;
        }

        if (package.Filename is null || package.Sha256 is null || package.Sha256.Length != 64 || !package.Sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDebianInputException(package.Name, "index stanza", "has no Filename or a malformed SHA256: cannot download it verifiably");
        }

        var fileName = Path.GetFileName(package.Filename);
        ValidateName(fileName, "Filename");
        var destination = Path.Combine(CacheDirectory, "debs", $"{package.Sha256}-{fileName}");
        if (File.Exists(destination) && await FileHash.Sha256Async(destination, cancellationToken).ConfigureAwait(false) == package.Sha256)
        {
            return destination;
        }

        await _downloader.DownloadAsync(new DownloadRequest(Mirror.Resolve(package.Filename), destination, package.Sha256, package.Size, fileName), cancellationToken).ConfigureAwait(false);
        return destination;
    }

    /// <summary>
    /// Downloads (or takes from the cache) every package and extracts them all into one directory, which
    /// then serves as a donor root. Returns, in order, each .deb's path and the directory-relative paths it wrote.
    /// </summary>
    public async Task<IReadOnlyList<(DebianPackageInfo Package, string Deb, IReadOnlyList<string> Files)>> ExtractAllAsync(IEnumerable<DebianPackageInfo> packages, string directory, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var debs = new List<(DebianPackageInfo, string, IReadOnlyList<string>)>();
        foreach (var package in packages)
        {
            progress?.Report($"{package.Name} {package.Version}");
            var deb = await DownloadAsync(package, cancellationToken).ConfigureAwait(false);
            var files = package.LocalPath is null
                ? await ExtractThroughDecodedTarAsync(deb, directory, cancellationToken).ConfigureAwait(false)
                : DebPackage.Open(deb).ExtractData(directory); // the user's own file: nothing is written beside it
            debs.Add((package, deb, files));
        }

        return debs;
    }

    /// <summary>
    /// Extracts a downloaded .deb through its data.tar decoded once and kept beside it in the cache
    /// (<c>SHA256-NAME.deb.data.tar</c>, with its own sha256 in <c>.data.tar.sha256</c>): decoding xz was
    /// most of a repeat build's planning (about 3 s of CPU for the bench recipe's libraries), hashing and
    /// untarring take a fraction of it. The .deb was just checked against the index; a kept tar whose
    /// hash does not match (damaged, or cut short before its hash was written) is decoded again.
    /// </summary>
    private static async Task<IReadOnlyList<string>> ExtractThroughDecodedTarAsync(string deb, string directory, CancellationToken cancellationToken)
    {
        var tar = deb + ".data.tar";
        var sum = tar + ".sha256";
        if (!File.Exists(tar) || !File.Exists(sum) || await File.ReadAllTextAsync(sum, cancellationToken).ConfigureAwait(false) != await FileHash.Sha256Async(tar, cancellationToken).ConfigureAwait(false))
        {
            AtomicFile.Write(tar, DebPackage.Open(deb).DecompressData);
            var hash = await FileHash.Sha256Async(tar, cancellationToken).ConfigureAwait(false);
            AtomicFile.Write(sum, output => output.Write(System.Text.Encoding.ASCII.GetBytes(hash)));
        }

        return DebPackage.ExtractTar(tar, directory, deb + "!data.tar");
    }

    /// <summary>Reads the SHA256 section of a Release file: relative path → (sha256, size).</summary>
    internal static Dictionary<string, (string Sha256, long Size)> ReadReleaseHashes(string releasePath)
    {
        using var reader = new StreamReader(releasePath);
        var release = Deb822.Parse(reader, releasePath).FirstOrDefault()
            ?? throw new InvalidDebianInputException(releasePath, "start", "empty Release file");
        var section = release["SHA256"] ?? throw new InvalidDebianInputException(releasePath, "SHA256", "missing (only SHA256 is trusted)");
        var hashes = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var line in section.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0].Length == 64 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                hashes[parts[2]] = (parts[0].ToLowerInvariant(), size);
            }
        }

        return hashes;
    }


    /// <summary>Suite, component, architecture and file names become path segments: keep them plain.</summary>
    private static void ValidateName(string value, string what)
    {
        if (value.Length == 0 || value is "." or ".." || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+' or '~' or '%'))
        {
            throw new ArgumentException($"{what} '{value}' is not a plain name", what);
        }
    }
}
