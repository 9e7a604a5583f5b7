using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace Boot2IsoKit.Tests.Inputs.Engines;

/// <summary>Engine archives through the input cache, with the recipe's pin and the site's published .sha256.</summary>
public sealed class EngineFetchTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-engine-").FullName;
    private readonly byte[] _tgz = RandomNumberGenerator.GetBytes(200_000);
    private readonly Downloader _downloader = new(new DownloaderOptions { MaxAttempts = 1 });
    private LoopbackHttpServer _site = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string Sha => Convert.ToHexStringLower(SHA256.HashData(_tgz));

    /// <summary>What the site publishes as docker-….tgz.sha256 (tests change it to make the site lie).</summary>
    private string PublishedSha { get; set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        PublishedSha = Sha;
        _site = await LoopbackHttpServer.StartAsync(c => c.Request.Path.Value!.EndsWith(".sha256", StringComparison.Ordinal)
            ? c.Response.WriteAsync($"{PublishedSha}  docker-17.06.0-dev.tgz\n")
            : LoopbackResponses.FileAsync(c, _tgz, "\"tgz\""));
    }

    public async ValueTask DisposeAsync()
    {
        await _site.DisposeAsync();
        _downloader.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private EngineSources Sources => EngineSources.FromSettings(new Dictionary<string, string>
    {
        ["master"] = _site.Url("linux/amd64/").AbsoluteUri,
        ["base"] = _site.Url("linux/static/{channel}/x86_64/").OriginalString,
    });

    private InputCacheStore Cache(bool offline = false) => new(Path.Combine(_directory, "cache"), offline ? null : _downloader, offline);

    [Fact]
    public async Task The_published_sha256_is_fetched_cached_and_checked_so_offline_builds_check_it_too()
    {
        var download = EngineDownload.Resolve(EngineVersion.Parse("17.06.0-dev"), Sources);

        var online = await download.FetchAsync(Cache(), cancellationToken: Cancel);
        var requests = _site.RequestCount;
        var offline = await download.FetchAsync(Cache(offline: true), cancellationToken: Cancel);

        Assert.Equal(Sha, online.Sha256);
        Assert.Equal(online.Path, offline.Path);
        Assert.Equal(2, requests);
        Assert.Equal(requests, _site.RequestCount);
        Assert.Equal([InputKinds.Sha256File, InputKinds.EngineTgz], Cache(offline: true).Entries.Select(e => e.Kind));
    }

    [Fact]
    public async Task A_site_whose_published_sha256_disagrees_with_the_archive_stops_the_fetch()
    {
        PublishedSha = new string('1', 64);
        var download = EngineDownload.Resolve(EngineVersion.Parse("17.06.0-dev"), Sources);

        await Assert.ThrowsAsync<DownloadVerificationException>(() => download.FetchAsync(Cache(), cancellationToken: Cancel));

        Assert.DoesNotContain(Cache(offline: true).Entries, e => e.Kind == InputKinds.EngineTgz);
    }

    [Fact]
    public async Task A_recipe_pin_that_disagrees_with_the_published_sha256_stops_before_the_archive_is_fetched()
    {
        var download = EngineDownload.Resolve(EngineVersion.Parse("17.06.0-dev"), Sources);

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => download.FetchAsync(Cache(), new string('2', 64), Cancel));

        Assert.Contains("pins", error.Problem, StringComparison.Ordinal);
        Assert.Equal(["/linux/amd64/docker-17.06.0-dev.tgz.sha256"], _site.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task A_recipe_pin_is_checked_on_a_channel_without_published_checksums()
    {
        var download = EngineDownload.Resolve(EngineVersion.Parse("27.3.1"), Sources);

        await Assert.ThrowsAsync<DownloadVerificationException>(() => download.FetchAsync(Cache(), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("other"))), Cancel));
        var good = await download.FetchAsync(Cache(), Sha.ToUpperInvariant(), Cancel);

        Assert.Equal(Sha, good.Sha256);
        Assert.Equal("/linux/static/stable/x86_64/docker-27.3.1.tgz", _site.Requests.Last().PathAndQuery);
    }

    [Fact]
    public async Task The_environment_wins_over_the_recipe_which_wins_over_dockers_site()
    {
        var recipe = EngineSources.FromSettings(new Dictionary<string, string> { ["base"] = _site.Url("recipe/{channel}/").OriginalString });
        var environment = EngineSources.FromEnvironment(name => name == "B2IK_ENGINE_BASE_URL_STABLE" ? _site.Url("env/stable/").AbsoluteUri : null);

        var stable = EngineDownload.Resolve(EngineVersion.Parse("27.3.1"), recipe.OverriddenBy(environment));
        var test = EngineDownload.Resolve(EngineVersion.Parse("27.3.1-rc1"), recipe.OverriddenBy(environment));
        await stable.FetchAsync(Cache(), cancellationToken: Cancel);
        await test.FetchAsync(Cache(), cancellationToken: Cancel);

        Assert.Equal(["/env/stable/docker-27.3.1.tgz", "/recipe/test/docker-27.3.1-rc1.tgz"], _site.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task A_historical_site_that_fails_is_said_to_be_possibly_gone_with_what_to_pass_instead()
    {
        await using var missing = await LoopbackHttpServer.StartAsync(c => { c.Response.StatusCode = 404; return Task.CompletedTask; });
        var resolved = EngineDownload.Resolve(EngineVersion.Parse("1.12.6"), EngineSources.None);

        // The same download pointed at a loopback site that has none of it, as a retired host would answer.
        var url = missing.Url("builds/Linux/x86_64/docker-1.12.6.tgz");
        var historical = resolved with { Url = url, Sha256Url = new Uri(url.AbsoluteUri + ".sha256") };

        var error = await Assert.ThrowsAsync<EngineSiteGoneException>(() => historical.FetchAsync(Cache(), cancellationToken: Cancel));

        Assert.True(resolved.FromHistoricalSite);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.Status);
        Assert.Contains("may be gone", error.Message, StringComparison.Ordinal);
        Assert.Contains("--engine-tgz", error.Message, StringComparison.Ordinal);
        Assert.Contains("--engine-url", error.Message, StringComparison.Ordinal);
        Assert.Contains("B2IK_ENGINE_BASE_URL_LEGACY_STABLE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_site_that_fails_is_reported_as_it_is()
    {
        await using var missing = await LoopbackHttpServer.StartAsync(c => { c.Response.StatusCode = 404; return Task.CompletedTask; });
        var sources = EngineSources.FromSettings(new Dictionary<string, string> { ["legacy-stable"] = missing.Url("builds/").AbsoluteUri });
        var download = EngineDownload.Resolve(EngineVersion.Parse("1.12.6"), sources);

        var error = await Assert.ThrowsAsync<DownloadException>(() => download.FetchAsync(Cache(), cancellationToken: Cancel));

        Assert.IsNotType<EngineSiteGoneException>(error);
    }
}
