using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Engines;

/// <summary>
/// Picks the channel and site era for a version the way boot2docker's Dockerfiles did: rc/beta/tp from
/// test, 1.x experimental builds from the experimental site, -dev from master, nightlies from nightly.
/// Final releases come from stable: boot2docker took 17.03–18.06 finals from edge, but Docker has since
/// deprecated edge, and the stable directory holds the finals from 17.03.0-ce on.
/// </summary>
internal static class EngineChannelSelector
{
    public static EngineSiteEra EraOf(EngineVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.IsNightly)
        {
            return EngineSiteEra.Static;
        }

        // The static site starts with 17.03.0-ce; its release candidates were still on the builds sites.
        var beforeStatic = version.Major < 17 || (version.Major == 17 && version.Minor == 3 && version.Patch == 0 && version.Prerelease is not null);
        return beforeStatic ? EngineSiteEra.Builds : EngineSiteEra.Static;
    }

    public static EngineChannel For(EngineVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.IsNightly)
        {
            return EngineChannel.Nightly;
        }

        if (version.IsDev)
        {
            return EngineChannel.Master;
        }

        if (version.IsExperimental)
        {
            if (EraOf(version) != EngineSiteEra.Builds)
            {
                throw new InvalidInputException("engine version", $"'{version}'", "-experimental builds exist only for 1.x; from 1.13 on, experimental is a daemon flag (EXTRA_ARGS=--experimental)");
            }

            return EngineChannel.Experimental;
        }

        if (version.Prerelease is not null)
        {
            return EngineChannel.Test;
        }

        return EngineChannel.Stable;
    }
}
