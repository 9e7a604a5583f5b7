namespace Boot2IsoKit.Inputs.Downloads;

/// <summary>
/// Fetches one remote file to a local path. Implementations verify what the request pins (sha256, size)
/// before the file appears at <see cref="DownloadRequest.Destination"/>, and never leave a partial file there.
/// </summary>
internal interface IDownloader
{
    /// <returns>The lower-case hex sha256 of the file now at the destination.</returns>
    Task<string> DownloadAsync(DownloadRequest request, CancellationToken cancellationToken = default);
}

/// <param name="Url">What to fetch (http, https or file).</param>
/// <param name="Destination">Where the verified file is placed (atomically).</param>
/// <param name="Sha256">Expected lower-case hex sha256, or null when nothing pins it.</param>
/// <param name="ExpectedSize">Expected size in bytes, or null.</param>
/// <param name="Description">What this is, for progress and errors ("ipvsadm_1.31-1+b1_amd64.deb").</param>
internal sealed record DownloadRequest(Uri Url, string Destination, string? Sha256 = null, long? ExpectedSize = null, string? Description = null);
