namespace Boot2IsoKit.Inputs.Downloads;

/// <summary>How patient the <see cref="Downloader"/> is. The defaults suit ISOs and engine archives over a slow link.</summary>
internal sealed record DownloaderOptions
{
    /// <summary>Attempts per file, counting the first; only transient failures are retried.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Wait before the second attempt; it doubles for each further one, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for the response headers or for the next bytes of the body; a stalled server fails (and is retried).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest time for one file, all attempts included.</summary>
    public TimeSpan OverallTimeout { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Receives progress; may be null. Called from the download task, roughly every 256 KiB and at the end.</summary>
    public IProgress<DownloadProgress>? Progress { get; init; }
}
