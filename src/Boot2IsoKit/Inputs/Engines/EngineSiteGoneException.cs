using Boot2IsoKit.Inputs.Downloads;

namespace Boot2IsoKit.Inputs.Engines;

/// <summary>
/// A 1.x (or master) engine was asked of the historical Docker site it was published on, and that site
/// did not serve it: those sites may be gone, so the message says what to give instead.
/// </summary>
internal sealed class EngineSiteGoneException(EngineDownload download, DownloadException inner)
    : DownloadException(UrlOf(download), MessageFor(download, inner), inner?.Status, inner)
{
    public EngineVersion Version { get; } = download.Version;

    private static Uri UrlOf(EngineDownload download)
    {
        ArgumentNullException.ThrowIfNull(download);
        return download.Url;
    }

    private static string MessageFor(EngineDownload download, DownloadException? inner)
    {
        ArgumentNullException.ThrowIfNull(download);
        var key = EngineSources.KeyFor(download.Channel ?? EngineChannel.Stable, EngineChannelSelector.EraOf(download.Version));
        return $"Docker engine {download.Version}: {inner?.Message ?? "not served"}. "
            + $"{download.Url.Host} is one of Docker's historical download sites and may be gone: "
            + "give the archive itself with --engine-tgz=PATH, or its full URL with --engine-url=URL, "
            + $"or a site that still has it with {EngineSources.EnvironmentVariableFor(key)} (recipe: engine.sources.{key}).";
    }
}
