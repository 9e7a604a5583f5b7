using Boot2IsoKit.Errors;

namespace Boot2IsoKit.Engines;

/// <summary>No download site is configured for the channel an engine version needs.</summary>
public sealed class EngineSourceNotConfiguredException : Boot2IsoKitException
{
    public EngineSourceNotConfiguredException(EngineVersion version, EngineChannel channel, string key, EngineSiteEra era)
        : base(MessageFor(version, channel, key, era))
    {
        Version = version;
        Channel = channel;
        Key = key;
    }

    public EngineVersion Version { get; }

    public EngineChannel Channel { get; }

    /// <summary>The recipe key that would configure it ("stable", "legacy-test", …).</summary>
    public string Key { get; }

    private static string MessageFor(EngineVersion version, EngineChannel channel, string key, EngineSiteEra era)
    {
        var template = era == EngineSiteEra.Static && channel is EngineChannel.Stable or EngineChannel.Test or EngineChannel.Edge or EngineChannel.Nightly
            ? $" (or {EngineSources.EnvironmentPrefix} with a {{channel}} placeholder)"
            : string.Empty;
        return $"Docker engine {version} comes from the '{key}' channel, and no download site is configured for it: "
            + $"set {EngineSources.EnvironmentVariableFor(key)}{template}, or engine source '{key}' in the recipe "
            + "(the README names the sites boot2docker used), or pass --engine-url with the archive's full URL.";
    }
}
