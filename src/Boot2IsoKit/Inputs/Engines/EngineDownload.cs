using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Engines;

/// <summary>What an engine archive is: a .tgz of a <c>docker/</c> directory (1.11+) or one bare binary (≤1.10).</summary>
internal enum EngineArchiveKind
{
    Tgz,
    SingleBinary,
}

/// <summary>Where to fetch one engine version, and where its published checksum is (when the site publishes one).</summary>
/// <param name="Sha256Url">The site's <c>.sha256</c> file for this archive, or null when the channel publishes none.</param>
/// <param name="FromHistoricalSite">The URL is a built-in default on one of Docker's historical sites, which may be gone.</param>
internal sealed record EngineDownload(EngineVersion Version, Uri Url, EngineChannel? Channel, EngineArchiveKind ArchiveKind, Uri? Sha256Url, bool FromHistoricalSite = false)
{
    public bool HasPublishedSha256 => Sha256Url is not null;

    public string FileName => Url.Segments[^1];

    /// <summary>
    /// The URL for <paramref name="version"/> from the configured sites (<c>EngineDownload.Resolve(v, EngineSources.FromEnvironment())</c>),
    /// or from Docker's own sites where nothing is configured (<see cref="EngineSources.DefaultDirectoryFor"/>).
    /// <paramref name="channel"/> overrides the channel picked for the version (e.g. the recipe's <c>channel: edge</c>).
    /// </summary>
    public static EngineDownload Resolve(EngineVersion version, EngineSources sources, EngineChannel? channel = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(sources);
        var era = EngineChannelSelector.EraOf(version);
        var chosen = channel ?? EngineChannelSelector.For(version);
        var configured = sources.DirectoryFor(chosen, era);
        var directory = configured ?? EngineSources.DefaultDirectoryFor(chosen, era);
        var historical = configured is null && EngineSources.IsHistoricalDefault(chosen, era);

        // Up to 1.10 the builds site served a bare binary with no extension.
        var kind = era == EngineSiteEra.Builds && version.ShipsAsSingleBinary ? EngineArchiveKind.SingleBinary : EngineArchiveKind.Tgz;
        var fileName = kind == EngineArchiveKind.Tgz ? $"docker-{version}.tgz" : $"docker-{version}";
        var url = new Uri(directory, Uri.EscapeDataString(fileName));

        // Checksums are published next to the builds-site releases (docker/docs engine/installation/binaries.md)
        // and the master builds (boot2docker's Dockerfile.master checks the .sha256).
        var publishesSha256 = chosen == EngineChannel.Master || (era == EngineSiteEra.Builds && chosen == EngineChannel.Stable);
        return new EngineDownload(version, url, chosen, kind, publishesSha256 ? new Uri(url.AbsoluteUri + ".sha256") : null, historical);
    }

    /// <summary><c>--engine-url</c>: the user's URL wins over every channel and site; no published checksum is assumed.</summary>
    public static EngineDownload FromUrl(EngineVersion version, Uri url)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https" or "file"))
        {
            throw new InvalidInputException("--engine-url", url.OriginalString, "not an absolute http, https or file URL");
        }

        var name = url.Segments[^1];
        var kind = name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
            ? EngineArchiveKind.Tgz
            : EngineArchiveKind.SingleBinary;
        return new EngineDownload(version, url, null, kind, null);
    }

    /// <summary>
    /// Gets the archive through the input cache: checked against <paramref name="pinnedSha256"/> (the recipe's
    /// <c>sha256:</c>) and, where the channel publishes one, against the site's <c>.sha256</c> (cached too, so
    /// offline builds check it as well). A disagreement stops before anything is downloaded or replaced.
    /// </summary>
    /// <exception cref="EngineSiteGoneException">A historical default site did not serve the archive.</exception>
    public async Task<CachedInput> FetchAsync(InputCacheStore cache, string? pinnedSha256 = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        try
        {
            return await FetchFromSiteAsync(cache, pinnedSha256, cancellationToken).ConfigureAwait(false);
        }
        catch (DownloadException e) when (FromHistoricalSite && e is not DownloadVerificationException)
        {
            throw new EngineSiteGoneException(this, e);
        }
    }

    private async Task<CachedInput> FetchFromSiteAsync(InputCacheStore cache, string? pinnedSha256, CancellationToken cancellationToken)
    {
        var expected = pinnedSha256?.Trim().ToLowerInvariant();
        if (Sha256Url is not null)
        {
            var sumFile = await cache.GetAsync(new InputRequest(InputKinds.Sha256File, Sha256Url, Version.ToString(), Name: FileName + ".sha256"), cancellationToken).ConfigureAwait(false);
            var published = ParseSha256File(await File.ReadAllTextAsync(sumFile.Path, cancellationToken).ConfigureAwait(false), Sha256Url);
            if (expected is not null && expected != published)
            {
                throw new InvalidInputException("engine sha256", Url.ToString(), $"the recipe pins {expected} but the site publishes {published}");
            }

            expected = published;
        }

        var kind = ArchiveKind == EngineArchiveKind.Tgz ? InputKinds.EngineTgz : InputKinds.EngineBinary;
        return await cache.GetAsync(new InputRequest(kind, Url, Version.ToString(), expected, Name: FileName), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a published <c>.sha256</c> file ("&lt;hex&gt;  docker-…tgz" or just the hex).</summary>
    public static string ParseSha256File(string content, Uri source)
    {
        ArgumentNullException.ThrowIfNull(content);
        var first = content.Split((char[])[' ', '\t', '\r', '\n'], 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        if (first.Length != 64 || !first.All(Uri.IsHexDigit))
        {
            throw new InvalidInputException(source?.ToString() ?? "sha256 file", "first word", "not a sha256 hex digest");
        }

        return first.ToLowerInvariant();
    }
}
