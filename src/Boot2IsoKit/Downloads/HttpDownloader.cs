using System.Security.Cryptography;
using Boot2IsoKit.Errors;
using Boot2IsoKit.IO;

namespace Boot2IsoKit.Downloads;

/// <summary>
/// A minimal <see cref="IDownloader"/>: http(s) through HttpClient, file:// by copying; the bytes are
/// hashed while they are written to a temporary file, which becomes the destination only when the
/// size and sha256 match what the request pins.
/// </summary>
internal sealed class HttpDownloader : IDownloader, IDisposable
{
    private readonly HttpClient _client;
    private readonly bool _ownsClient;

    public HttpDownloader(HttpClient? client = null)
    {
        _ownsClient = client is null;
        _client = client ?? new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
    }

    public async Task<string> DownloadAsync(DownloadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var what = request.Description ?? request.Url.ToString();
        string? actual = null;
        await AtomicFile.WriteAsync(
            request.Destination,
            async (output, token) =>
            {
                await using var input = await OpenAsync(request.Url, what, token).ConfigureAwait(false);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = await input.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (request.ExpectedSize is { } limit && total > limit)
                    {
                        throw new InvalidInputException(request.Url.ToString(), "size", $"{what} is longer than the expected {limit} bytes");
                    }

                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                }

                if (request.ExpectedSize is { } expected && total != expected)
                {
                    throw new InvalidInputException(request.Url.ToString(), "size", $"{what} has {total} bytes, expected {expected} (cut off?)");
                }

                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (request.Sha256 is { } pinned && !string.Equals(pinned, actual, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidInputException(request.Url.ToString(), "sha256", $"{what} has sha256 {actual}, expected {pinned}");
                }
            },
            cancellationToken).ConfigureAwait(false);
        return actual!;
    }

    private async Task<Stream> OpenAsync(Uri url, string what, CancellationToken cancellationToken)
    {
        if (url.IsFile)
        {
            return new FileStream(url.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new Boot2IsoKitException($"cannot download {what} from {url}: {e.Message}", e);
        }

        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new Boot2IsoKitException($"cannot download {what} from {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }
}
