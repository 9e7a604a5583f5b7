using System.Globalization;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Plumbing.Errors;
using Octokit;

namespace Boot2IsoKit.Inputs.Releases;

/// <summary>
/// Finds boot2docker releases (or a fork's) through the GitHub API with Octokit: <c>latest</c>, an exact tag,
/// or the newest release including pre-releases; lists releases across pages; and turns every API failure
/// into a typed error that says what to do (wait for the rate-limit reset, set a token, build --offline).
/// </summary>
internal sealed class Boot2DockerReleases
{
    public const string Latest = "latest";

    private readonly GitHubClient _client;
    private readonly string _owner;
    private readonly string _name;
    private readonly bool _hasToken;
    private readonly string _apiDescription;

    public Boot2DockerReleases(Boot2DockerReleaseOptions? options = null)
    {
        options ??= Boot2DockerReleaseOptions.FromEnvironment();
        var parts = options.Repository.Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0 || p.Any(char.IsWhiteSpace)))
        {
            throw new InvalidInputException("repository", $"'{options.Repository}'", "expected owner/name, e.g. boot2docker/boot2docker");
        }

        (_owner, _name) = (parts[0], parts[1]);
        var product = new ProductHeaderValue("Boot2IsoKit");
        // Octokit maps any host other than GitHub's own to <host>/api/v3/, the GitHub Enterprise layout.
        _client = options.ApiBaseUrl is null ? new GitHubClient(product) : new GitHubClient(product, options.ApiBaseUrl);
        _apiDescription = _client.Connection.BaseAddress.GetLeftPart(UriPartial.Authority);
        if (options.Token is { Length: > 0 } token)
        {
            _client.Credentials = new Credentials(token);
            _hasToken = true;
        }

        _client.SetRequestTimeout(options.Timeout);
    }

    /// <summary>owner/name.</summary>
    public string Repository => $"{_owner}/{_name}";

    /// <summary>
    /// <c>"latest"</c> (newest final release, or newest of all when <paramref name="includePrereleases"/>), or a tag
    /// (<c>v19.03.12</c>; <c>19.03.12</c> also finds <c>v19.03.12</c>). An exact tag is returned even if it is a pre-release.
    /// </summary>
    public async Task<Boot2DockerRelease> ResolveAsync(string version = Latest, bool includePrereleases = false, CancellationToken cancellationToken = default)
    {
        var spec = (version ?? Latest).Trim();
        if (string.Equals(spec, Latest, StringComparison.OrdinalIgnoreCase))
        {
            if (!includePrereleases)
            {
                var latest = await CallAsync(() => _client.Repository.Release.GetLatest(_owner, _name), $"the latest release of {Repository}", cancellationToken).ConfigureAwait(false);
                return Convert(latest);
            }

            var page = await CallAsync(() => _client.Repository.Release.GetAll(_owner, _name, new ApiOptions { PageSize = 30, PageCount = 1, StartPage = 1 }), $"the releases of {Repository}", cancellationToken).ConfigureAwait(false);
            var newest = page.Where(r => !r.Draft).OrderByDescending(r => r.PublishedAt ?? r.CreatedAt).FirstOrDefault()
                ?? throw new ReleaseNotFoundException(Repository, $"no release in {Repository}");
            return Convert(newest);
        }

        try
        {
            return Convert(await CallAsync(() => _client.Repository.Release.Get(_owner, _name, spec), $"release '{spec}' in {Repository}", cancellationToken).ConfigureAwait(false));
        }
        catch (ReleaseNotFoundException) when (Boot2DockerVersion.TryParse(spec, out var bare) && bare.Tag != spec)
        {
            // boot2docker's tags carry a "v"; users often write the bare version.
            return Convert(await CallAsync(() => _client.Repository.Release.Get(_owner, _name, bare.Tag), $"release '{spec}' (or '{bare.Tag}') in {Repository}", cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>All releases, newest first as GitHub lists them, following the pagination links up to <paramref name="maxPages"/> pages.</summary>
    public async Task<IReadOnlyList<Boot2DockerRelease>> ListAsync(int maxPages = 10, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var options = new ApiOptions { PageSize = pageSize, PageCount = maxPages, StartPage = 1 };
        var releases = await CallAsync(() => _client.Repository.Release.GetAll(_owner, _name, options), $"the releases of {Repository}", cancellationToken).ConfigureAwait(false);
        return releases.Select(Convert).ToList();
    }

    /// <summary>One call for the common case: the ISO asset of a version.</summary>
    public async Task<Boot2DockerAsset> FindAssetAsync(string version = Latest, string assetName = Boot2DockerRelease.DefaultIsoName, bool includePrereleases = false, CancellationToken cancellationToken = default)
    {
        var release = await ResolveAsync(version, includePrereleases, cancellationToken).ConfigureAwait(false);
        return release.Asset(assetName);
    }

    private Boot2DockerRelease Convert(Release release) => new(
        Repository,
        release.TagName,
        release.Name,
        release.Prerelease,
        release.PublishedAt,
        release.Assets.Select(a => new Boot2DockerAsset(a.Name, a.Size, new Uri(a.BrowserDownloadUrl, UriKind.Absolute), a.ContentType)).ToList());

    private async Task<T> CallAsync<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            // Octokit takes no CancellationToken; the request timeout bounds the call, and cancelling abandons it.
            return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RateLimitExceededException e)
        {
            var reset = e.Reset.ToUniversalTime();
            var advice = _hasToken
                ? $"the limit ({e.Limit} requests/hour) belongs to the token in {Boot2DockerReleaseOptions.TokenVariable}"
                : $"set {Boot2DockerReleaseOptions.TokenVariable} to a GitHub token to raise the limit (anonymous requests get {e.Limit}/hour)";
            throw new GitHubRateLimitException(Repository, $"GitHub API rate limit reached while looking up {what}; it resets at {reset.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC. Wait until then, or {advice}.", reset, e);
        }
        catch (NotFoundException e)
        {
            throw new ReleaseNotFoundException(Repository, $"no {what} (GitHub answered 404 at {_apiDescription})", e);
        }
        catch (AuthorizationException e)
        {
            throw new ReleaseLookupException(Repository, $"GitHub rejected the token in {Boot2DockerReleaseOptions.TokenVariable} (401) while looking up {what}; check it or unset it", e);
        }
        catch (ApiException e)
        {
            throw new ReleaseLookupException(Repository, $"GitHub API error {(int)e.StatusCode} while looking up {what}: {e.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new GitHubUnreachableException(Repository,
                $"cannot reach the GitHub API at {_apiDescription} while looking up {what} ({e.Message}). "
                + "Without network access, build with --offline from the input cache (artifacts/cache by default); "
                + "fill it with --target=Fetch where there is network, or import a cache archive.",
                e);
        }
    }
}
