using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Downloads;
using Boot2IsoKit.Engines;
using Boot2IsoKit.Errors;
using Boot2IsoKit.InputCache;
using Boot2IsoKit.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace Boot2IsoKit.Tests.Engines;

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
}
