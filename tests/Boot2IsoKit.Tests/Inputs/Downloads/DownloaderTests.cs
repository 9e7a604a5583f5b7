using System.Net;
using System.Security.Cryptography;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace Boot2IsoKit.Tests.Inputs.Downloads;

public sealed class DownloaderTests : IDisposable
{
    private static readonly DownloaderOptions Quick = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        ReadTimeout = TimeSpan.FromSeconds(20),
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-download-").FullName;
    private readonly byte[] _content = RandomNumberGenerator.GetBytes(1_500_000);
    private readonly string _etag = LoopbackResponses.Quote("v1");

    private string ContentSha => Convert.ToHexStringLower(SHA256.HashData(_content));

    private string Destination => Path.Combine(_directory, "boot2docker.iso");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Downloads_verifies_reports_progress_and_leaves_no_partial_file()
    {
        await using var server = await LoopbackHttpServer.StartAsync(c => LoopbackResponses.FileAsync(c, _content, _etag));
        var reports = new List<DownloadProgress>();
        using var downloader = new Downloader(Quick with { Progress = new SynchronousProgress(reports.Add) });

        var sha = await downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, ContentSha, _content.Length, "boot2docker.iso"), Token);

        Assert.Equal(ContentSha, sha);
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Token));
        Assert.Equal([Path.GetFileName(Destination)], Directory.GetFiles(_directory).Select(Path.GetFileName));
        Assert.Equal(new DownloadProgress("boot2docker.iso", _content.Length, _content.Length), reports[^1]);
        Assert.True(reports.Count > 2, "progress arrives while the body streams, not only at the end");
    }

    [Fact]
    public async Task A_checksum_mismatch_keeps_the_users_file_discards_the_download_and_is_not_retried()
    {
        await File.WriteAllTextAsync(Destination, "the ISO the user had", Token);
        await using var server = await LoopbackHttpServer.StartAsync(c => LoopbackResponses.FileAsync(c, _content, _etag));
        using var downloader = new Downloader(Quick);

        var error = await Assert.ThrowsAsync<DownloadVerificationException>(() =>
            downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, new string('0', 64)), Token));

        Assert.Contains(ContentSha, error.Message, StringComparison.Ordinal);
        Assert.Equal("the ISO the user had", await File.ReadAllTextAsync(Destination, Token));
        Assert.Single(Directory.GetFiles(_directory));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_connection_cut_mid_file_resumes_with_a_range_request()
    {
        await File.WriteAllTextAsync(Destination, "old", Token);
        var calls = 0;
        await using var server = await LoopbackHttpServer.StartAsync(c =>
            LoopbackResponses.FileAsync(c, _content, _etag, ranges: true, cutAfter: Interlocked.Increment(ref calls) == 1 ? 600_000 : null));
        using var downloader = new Downloader(Quick);

        var sha = await downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, ContentSha), Token);

        Assert.Equal(ContentSha, sha);
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Token));
        var resumed = server.Requests.Last();
        Assert.StartsWith("bytes=", resumed.Headers["Range"], StringComparison.Ordinal);
        Assert.NotEqual("bytes=0-", resumed.Headers["Range"]);
        Assert.Equal(_etag, resumed.Headers["If-Range"]);
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_connection_cut_on_a_server_without_ranges_restarts_cleanly()
    {
        var calls = 0;
        await using var server = await LoopbackHttpServer.StartAsync(c =>
            LoopbackResponses.FileAsync(c, _content, _etag, ranges: false, cutAfter: Interlocked.Increment(ref calls) == 1 ? 600_000 : null));
        using var downloader = new Downloader(Quick);

        var sha = await downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, ContentSha), Token);

        Assert.Equal(ContentSha, sha);
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Token));
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task A_cut_on_the_last_attempt_leaves_the_old_file_whole_and_the_next_run_resumes()
    {
        await File.WriteAllTextAsync(Destination, "old", Token);
        var calls = 0;
        await using var server = await LoopbackHttpServer.StartAsync(c =>
            LoopbackResponses.FileAsync(c, _content, _etag, cutAfter: Interlocked.Increment(ref calls) == 1 ? 600_000 : null));

        using (var once = new Downloader(Quick with { MaxAttempts = 1 }))
        {
            await Assert.ThrowsAsync<DownloadException>(() => once.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, ContentSha), Token));
        }

        Assert.Equal("old", await File.ReadAllTextAsync(Destination, Token));
        using var again = new Downloader(Quick);
        await again.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, ContentSha), Token);

        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Token));
        Assert.NotEqual("bytes=0-", server.Requests.Last().Headers["Range"]);
    }

    [Fact]
    public async Task A_leftover_partial_of_another_url_is_never_stitched_on()
    {
        await File.WriteAllBytesAsync(Destination + ".partial", new byte[700_000], Token);
        await File.WriteAllLinesAsync(Destination + ".partial.source", ["http://127.0.0.1:1/other", _etag], Token);
        await using var server = await LoopbackHttpServer.StartAsync(c => LoopbackResponses.FileAsync(c, _content, _etag));
        using var downloader = new Downloader(Quick);

        var sha = await downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination), Token);

        Assert.Equal(ContentSha, sha);
        Assert.False(server.Requests.Single().Headers.ContainsKey("Range"));
    }

    [Fact]
    public async Task A_resumed_file_that_fails_its_checksum_is_fetched_again_from_the_start()
    {
        // Same URL and ETag, different bytes: a server that changed the file without changing its ETag.
        await using var server = await LoopbackHttpServer.StartAsync(c => LoopbackResponses.FileAsync(c, _content, _etag));
        await File.WriteAllBytesAsync(Destination + ".partial", new byte[700_000], Token);
        await File.WriteAllLinesAsync(Destination + ".partial.source", [server.Url("iso").AbsoluteUri, _etag], Token);
        using var downloader = new Downloader(Quick);

        var sha = await downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, ContentSha), Token);

        Assert.Equal(ContentSha, sha);
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Token));
        Assert.Equal(["bytes=700000-", null], server.Requests.Select(r => r.Headers.GetValueOrDefault("Range")));
    }

    [Fact]
    public async Task A_404_fails_at_once_with_the_url_and_status()
    {
        await using var server = await LoopbackHttpServer.StartAsync(c =>
        {
            c.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        using var downloader = new Downloader(Quick);
        var url = server.Url("releases/download/v0.0.0/boot2docker.iso");

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(new DownloadRequest(url, Destination), Token));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal(url, error.Url);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount);
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public async Task A_503_is_retried_with_backoff_until_the_file_comes()
    {
        var calls = 0;
        await using var server = await LoopbackHttpServer.StartAsync(c =>
        {
            if (Interlocked.Increment(ref calls) <= 2)
            {
                c.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            }

            return LoopbackResponses.FileAsync(c, _content, _etag);
        });
        using var downloader = new Downloader(Quick);

        var sha = await downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, ContentSha), Token);

        Assert.Equal(ContentSha, sha);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task A_server_that_stalls_times_out_after_the_retries()
    {
        await using var server = await LoopbackHttpServer.StartAsync(c => LoopbackResponses.StallAsync(c, _content.Length, 1000));
        using var downloader = new Downloader(Quick with { ReadTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 2 });

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination), Token));

        Assert.Contains("no data", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.RequestCount);
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public async Task A_server_sending_another_size_than_expected_is_refused()
    {
        await using var server = await LoopbackHttpServer.StartAsync(c => LoopbackResponses.FileAsync(c, _content, _etag));
        using var downloader = new Downloader(Quick);

        await Assert.ThrowsAsync<DownloadVerificationException>(() =>
            downloader.DownloadAsync(new DownloadRequest(server.Url("iso"), Destination, ExpectedSize: 1000), Token));

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task An_unreachable_host_says_to_build_offline()
    {
        using var downloader = new Downloader(Quick with { MaxAttempts = 2 });

        var error = await Assert.ThrowsAsync<DownloadUnreachableException>(() =>
            downloader.DownloadAsync(new DownloadRequest(new Uri(LoopbackHttpServer.UnusedAddress(), "boot2docker.iso"), Destination), Token));

        Assert.Contains("--offline", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_urls_are_copied_and_verified_like_downloads()
    {
        var source = Path.Combine(_directory, "source.iso");
        await File.WriteAllBytesAsync(source, _content, Token);
        using var downloader = new Downloader(Quick);

        var sha = await downloader.DownloadAsync(new DownloadRequest(new Uri(source), Path.Combine(_directory, "copy", "b.iso"), ContentSha), Token);

        Assert.Equal(ContentSha, sha);
        Assert.Equal(_content, await File.ReadAllBytesAsync(Path.Combine(_directory, "copy", "b.iso"), Token));
        await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(Path.Combine(_directory, "absent.iso")), Destination), Token));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test wants reports in order and complete.</summary>
    private sealed class SynchronousProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        private readonly Lock _gate = new();

        public void Report(DownloadProgress value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
