using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace Boot2IsoKit.Tests.Inputs.Debian;

/// <summary>
/// A warm build makes no round-trip to the Debian mirror: a cached Release younger than the freshness
/// window is used as it is (its Packages index is still checked against the sha256 it pins); --refresh
/// and an aged Release ask again. The mirror is a loopback server that counts requests.
/// </summary>
public sealed class ReleaseFreshnessTests : IAsyncLifetime
{
    private readonly string _cache = Directory.CreateTempSubdirectory("b2ik-release-").FullName;
    private readonly Downloader _downloader = new(new DownloaderOptions { MaxAttempts = 1 });
    private readonly byte[] _packages = Gzip("Package: ipvsadm\nVersion: 1:1.31-1\nArchitecture: amd64\nFilename: pool/main/i/ipvsadm/ipvsadm_1.31-1_amd64.deb\n\n");
    private LoopbackHttpServer _mirror = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var release = Encoding.ASCII.GetBytes($"Suite: bookworm\nSHA256:\n {Convert.ToHexStringLower(SHA256.HashData(_packages))} {_packages.Length} main/binary-amd64/Packages.gz\n");
        _mirror = await LoopbackHttpServer.StartAsync(c => c.Request.Path.Value switch
        {
            "/debian/dists/bookworm/Release" => LoopbackResponses.FileAsync(c, release, "\"release\""),
            "/debian/dists/bookworm/main/binary-amd64/Packages.gz" => LoopbackResponses.FileAsync(c, _packages, "\"packages\""),
            _ => Task.FromResult(c.Response.StatusCode = StatusCodes.Status404NotFound),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _mirror.DisposeAsync();
        _downloader.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    private DebianRepository Repository(bool refresh = false) => new(new DebianMirror(_mirror.Url("debian/")), _cache, _downloader) { Refresh = refresh };

    [Fact]
    public async Task A_fresh_cached_release_is_used_without_a_request()
    {
        var first = await Repository().LoadIndexAsync("bookworm", cancellationToken: Cancel);
        var afterFirst = _mirror.RequestCount;
        var second = await Repository().LoadIndexAsync("bookworm", cancellationToken: Cancel);

        Assert.Equal(2, afterFirst);
        Assert.Equal(afterFirst, _mirror.RequestCount);
        Assert.Equal(first.Find("ipvsadm")!.Version, second.Find("ipvsadm")!.Version);
    }

    [Fact]
    public async Task Refresh_asks_for_the_release_again_and_reuses_the_verified_packages_index()
    {
        await Repository().LoadIndexAsync("bookworm", cancellationToken: Cancel);

        await Repository(refresh: true).LoadIndexAsync("bookworm", cancellationToken: Cancel);

        Assert.Equal(
            ["/debian/dists/bookworm/Release", "/debian/dists/bookworm/main/binary-amd64/Packages.gz", "/debian/dists/bookworm/Release"],
            _mirror.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task A_release_older_than_the_window_is_fetched_again()
    {
        await Repository().LoadIndexAsync("bookworm", cancellationToken: Cancel);
        var release = Path.Combine(_cache, "dists", "bookworm", "Release");
        File.SetLastWriteTimeUtc(release, DateTime.UtcNow - DebianRepository.DefaultReleaseFreshness - TimeSpan.FromMinutes(1));

        await Repository().LoadIndexAsync("bookworm", cancellationToken: Cancel);

        Assert.Equal(3, _mirror.RequestCount);
        Assert.Equal("/debian/dists/bookworm/Release", _mirror.Requests.Last().PathAndQuery);
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.ASCII.GetBytes(text));
        }

        return buffer.ToArray();
    }
}
