using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Boot2IsoKit.Inputs.Downloads;

/// <summary>
/// The one downloader for base ISOs, engine archives and packages: http, https and file URLs.
/// Bytes go to <c>&lt;destination&gt;.partial</c>; an interrupted transfer resumes with a <c>Range</c> request
/// when the server still has the same file (If-Range on its ETag or Last-Modified), else restarts cleanly.
/// Transient failures (connection refused or reset, stalls, 408/429/5xx) are retried with exponential backoff;
/// 4xx answers and verification failures are not. Only a file whose size and sha256 match the request is
/// renamed onto the destination, so a failure never touches a file the user already had there.
/// Proxies come from HTTP_PROXY / HTTPS_PROXY / NO_PROXY through .NET's default proxy.
/// </summary>
internal sealed class Downloader : IDownloader, IDisposable
{
    private const int ProgressStep = 256 * 1024;
    private const int BufferSize = 1 << 16;

    private readonly HttpClient _http;
    private readonly DownloaderOptions _options;

    public Downloader(DownloaderOptions? options = null)
        : this(options, null)
    {
    }

    /// <param name="handler">A custom handler (tests, special proxies); null uses a SocketsHttpHandler with the environment's proxy.</param>
    public Downloader(DownloaderOptions? options, HttpMessageHandler? handler)
    {
        _options = options ?? new DownloaderOptions();
        if (_options.MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1.");
        }

        handler ??= new SocketsHttpHandler
        {
            // Archives must arrive byte for byte: a server's Content-Encoding must not be undone.
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = _options.ReadTimeout,
            UseProxy = true,
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Boot2IsoKit", "1.0"));
    }

    public void Dispose() => _http.Dispose();

    public async Task<string> DownloadAsync(DownloadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.Url;
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https" or "file"))
        {
            throw new DownloadException(url, $"{Describe(url)}: only http, https and file URLs can be downloaded");
        }

        var destination = Path.GetFullPath(request.Destination);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var partial = new PartialFile(destination);
        var name = request.Description ?? Path.GetFileName(url.LocalPath);

        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(_options.OverallTimeout);
        try
        {
            return url.IsFile
                ? await CopyLocalAsync(request, name, partial, destination, overall.Token).ConfigureAwait(false)
                : await DownloadWithRetriesAsync(request, name, partial, destination, overall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && overall.IsCancellationRequested)
        {
            throw new DownloadException(url, $"{Describe(url)}: gave up after {_options.OverallTimeout} (the overall download timeout)", null, e);
        }
    }

    private async Task<string> DownloadWithRetriesAsync(DownloadRequest request, string name, PartialFile partial, string destination, CancellationToken token)
    {
        var restartedAfterMismatch = false;
        for (var attempt = 1; ; attempt++)
        {
            var resumed = false;
            try
            {
                resumed = await FetchToPartialAsync(request, name, partial, token).ConfigureAwait(false);
                return await VerifyAndPlaceAsync(request, partial, destination, token).ConfigureAwait(false);
            }
            catch (DownloadVerificationException) when (resumed && !restartedAfterMismatch)
            {
                // The kept part may have been a different file; one clean restart settles it.
                restartedAfterMismatch = true;
                attempt--;
            }
            catch (Exception e) when (IsTransient(e, token) && attempt < _options.MaxAttempts)
            {
                var backoff = TimeSpan.FromTicks(Math.Min(_options.MaxBackoff.Ticks, _options.InitialBackoff.Ticks << Math.Min(attempt - 1, 20)));
                await Task.Delay(backoff, token).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, token))
            {
                throw AfterLastAttempt(request.Url, e, attempt);
            }
        }
    }

    /// <returns>Whether the transfer continued an earlier partial file.</returns>
    private async Task<bool> FetchToPartialAsync(DownloadRequest request, string name, PartialFile partial, CancellationToken token)
    {
        var url = request.Url;
        var (existing, validator) = partial.Resumable(url, request.ExpectedSize);
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        if (existing > 0)
        {
            message.Headers.Range = new RangeHeaderValue(existing, null);
            message.Headers.TryAddWithoutValidation("If-Range", validator);
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(token);
        stall.CancelAfter(_options.ReadTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            throw new StalledException($"no response within {_options.ReadTimeout}", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
            {
                partial.Delete();
                throw new StalledException("the server refused to resume; restarting", null);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new DownloadException(url, $"{Describe(url)}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}", response.StatusCode);
            }

            var resuming = existing > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (resuming && response.Content.Headers.ContentRange?.From != existing)
            {
                partial.Delete();
                throw new StalledException("the server resumed at the wrong offset; restarting", null);
            }

            if (!resuming)
            {
                existing = 0;
            }

            var length = response.Content.Headers.ContentLength;
            var total = length is { } n ? existing + n : request.ExpectedSize;
            if (request.ExpectedSize is { } expected && total is { } announced && announced != expected)
            {
                partial.Delete();
                throw new DownloadVerificationException(url, $"{Describe(url)}: the server offers {announced} bytes, but {expected} are expected");
            }

            partial.Begin(url, EntityValidator(response), append: resuming);
            await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using var file = new FileStream(partial.Path, resuming ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            var received = await CopyAsync(body, file, name, existing, total, request.ExpectedSize, url, stall, token).ConfigureAwait(false);
            if (length is { } contentLength && received - existing != contentLength)
            {
                throw new IOException($"the connection closed after {received - existing} of {contentLength} bytes");
            }

            await file.FlushAsync(token).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
            return resuming;
        }
    }

    private async Task<long> CopyAsync(Stream body, FileStream file, string name, long offset, long? total, long? limit, Uri url, CancellationTokenSource stall, CancellationToken token)
    {
        var buffer = new byte[BufferSize];
        var received = offset;
        var reported = offset;
        _options.Progress?.Report(new DownloadProgress(name, received, total));
        while (true)
        {
            int read;
            try
            {
                stall.CancelAfter(_options.ReadTimeout);
                read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!token.IsCancellationRequested)
            {
                throw new StalledException($"no data for {_options.ReadTimeout} after {received} bytes", e);
            }

            if (read == 0)
            {
                break;
            }

            received += read;
            if (limit is { } max && received > max)
            {
                throw new DownloadVerificationException(url, $"{Describe(url)}: the server sent more than the expected {max} bytes");
            }

            await file.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
            if (received - reported >= ProgressStep)
            {
                reported = received;
                _options.Progress?.Report(new DownloadProgress(name, received, total));
            }
        }

        _options.Progress?.Report(new DownloadProgress(name, received, total ?? received));
        return received;
    }

    private async Task<string> CopyLocalAsync(DownloadRequest request, string name, PartialFile partial, string destination, CancellationToken token)
    {
        var source = request.Url.LocalPath;
        FileStream input;
        try
        {
            input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new DownloadException(request.Url, $"{source}: cannot be read ({e.Message})", null, e);
        }

        await using (input)
        {
            var total = input.Length;
            if (request.ExpectedSize is { } expected && total != expected)
            {
                throw new DownloadVerificationException(request.Url, $"{source}: {total} bytes, but {expected} are expected");
            }

            partial.Begin(request.Url, null, append: false);
            await using (var file = new FileStream(partial.Path, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                using var never = new CancellationTokenSource();
                await CopyAsync(input, file, name, 0, total, request.ExpectedSize, request.Url, never, token).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
        }

        return await VerifyAndPlaceAsync(request, partial, destination, token).ConfigureAwait(false);
    }

    private static async Task<string> VerifyAndPlaceAsync(DownloadRequest request, PartialFile partial, string destination, CancellationToken token)
    {
        var size = new FileInfo(partial.Path).Length;
        if (request.ExpectedSize is { } expected && size != expected)
        {
            partial.Delete();
            throw new DownloadVerificationException(request.Url, $"{Describe(request.Url)}: received {size} bytes, but {expected} are expected; the download was discarded");
        }

        string actual;
        await using (var stream = new FileStream(partial.Path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous))
        {
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, token).ConfigureAwait(false));
        }

        if (request.Sha256 is { } pinned && !string.Equals(pinned.Trim(), actual, StringComparison.OrdinalIgnoreCase))
        {
            partial.Delete();
            throw new DownloadVerificationException(request.Url, $"{Describe(request.Url)}: sha256 is {actual}, but {pinned.Trim().ToLowerInvariant()} is pinned; the download was discarded and nothing else was changed");
        }

        File.Move(partial.Path, destination, overwrite: true);
        partial.Delete();
        return actual;
    }

    private static string? EntityValidator(HttpResponseMessage response)
    {
        // Only a strong ETag may guard a byte range; Last-Modified is the fallback servers commonly offer.
        if (response.Headers.ETag is { IsWeak: false } etag)
        {
            return etag.Tag;
        }

        return response.Content.Headers.LastModified?.ToString("r", CultureInfo.InvariantCulture);
    }

    private static bool IsTransient(Exception e, CancellationToken token) => e switch
    {
        DownloadVerificationException => false,
        DownloadException { Status: { } status } => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        DownloadException => false,
        StalledException => true,
        HttpRequestException => true,
        IOException => true,
        OperationCanceledException => !token.IsCancellationRequested,
        _ => false,
    };

    private static DownloadException AfterLastAttempt(Uri url, Exception last, int attempts)
    {
        if (last is DownloadException known)
        {
            return new DownloadException(url, $"{known.Message} (after {attempts} attempts)", known.Status, known);
        }

        if (last is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.ProxyTunnelError })
        {
            return new DownloadUnreachableException(url, $"{Describe(url)}: cannot reach the server ({last.Message}) after {attempts} attempts. "
                + "Without network access, build with --offline from the input cache (fill it with --target=Fetch where there is network, or import a cache archive).", last);
        }

        return new DownloadException(url, $"{Describe(url)}: {last.Message} (after {attempts} attempts)", null, last);
    }

    /// <summary>The URL for messages: no user info, no query (signed URLs carry credentials there).</summary>
    internal static string Describe(Uri url) =>
        url.IsAbsoluteUri && !url.IsFile ? new UriBuilder(url) { UserName = string.Empty, Password = string.Empty, Query = string.Empty }.Uri.AbsoluteUri : url.ToString();

    /// <summary>A stalled or unusable transfer that a fresh attempt may fix.</summary>
    private sealed class StalledException(string message, Exception? inner) : Exception(message, inner);
}
