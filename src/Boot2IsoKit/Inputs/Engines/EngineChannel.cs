namespace Boot2IsoKit.Inputs.Engines;

/// <summary>
/// Where Docker published an engine build. The names follow the download site's directories
/// (stable, test, edge, nightly) and the historical sites boot2docker used (experimental, master).
/// </summary>
public enum EngineChannel
{
    /// <summary>Final releases.</summary>
    Stable,

    /// <summary>Release candidates, betas and technical previews.</summary>
    Test,

    /// <summary>Monthly releases of 17.03–18.06; boot2docker took every final release of that era from here.</summary>
    Edge,

    /// <summary>Nightly builds (<c>0.0.0-&lt;timestamp&gt;-&lt;commit&gt;</c>).</summary>
    Nightly,

    /// <summary>The 1.x "-experimental" builds (before experimental became a daemon flag in 1.13).</summary>
    Experimental,

    /// <summary>Builds of master (<c>-dev</c> versions), with a published .sha256.</summary>
    Master,
}

/// <summary>The two download layouts Docker used.</summary>
internal enum EngineSiteEra
{
    /// <summary>Up to 1.13.x (and the 17.03.0 release candidates): <c>builds/Linux/x86_64/docker-&lt;ver&gt;.tgz</c>.</summary>
    Builds,

    /// <summary>From 17.03.0-ce: <c>linux/static/&lt;channel&gt;/x86_64/docker-&lt;ver&gt;.tgz</c>.</summary>
    Static,
}

/// <summary>The channel words of recipes and the download site's directories.</summary>
internal static class EngineChannels
{
    /// <summary>The channel a recipe's <c>engine.channel</c> names; null when it names none (chosen from the version).</summary>
    public static EngineChannel? Parse(string? word) => word switch
    {
        null => null,
        "stable" => EngineChannel.Stable,
        "test" => EngineChannel.Test,
        "experimental" => EngineChannel.Experimental,
        "nightly" => EngineChannel.Nightly,
        "edge" => EngineChannel.Edge,
        "master" => EngineChannel.Master,
        _ => throw new Boot2IsoKit.Plumbing.Errors.InvalidInputException("recipe", "engine.channel", $"unknown channel '{word}'"),
    };

    /// <summary>The word <see cref="Parse"/> takes for <paramref name="channel"/> (the site's directory name).</summary>
    public static string Word(EngineChannel channel) => channel switch
    {
        EngineChannel.Stable => "stable",
        EngineChannel.Test => "test",
        EngineChannel.Experimental => "experimental",
        EngineChannel.Nightly => "nightly",
        EngineChannel.Edge => "edge",
        EngineChannel.Master => "master",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "not a channel"),
    };
}
