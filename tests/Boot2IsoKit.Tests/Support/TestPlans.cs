using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.Planning;

namespace Boot2IsoKit.Tests.Support;

/// <summary>Build plans made in code for builder tests, shaped the way <see cref="BuildPlanner"/> shapes them.</summary>
internal static class TestPlans
{
    /// <summary>A plan for the docker builder; the old layout's ISO-root /version is added as the planner adds it.</summary>
    public static BuildPlan ForImage(string recipeName, string baseVersion, string image, RootfsOverlay delta, string label, string stampedVersion, string outputPath, long timestamp, EngineInput? engine = null) => new()
    {
        RecipeName = recipeName,
        Base = new BuildBase.Image(image),
        BaseVersion = baseVersion,
        Delta = delta,
        Iso = IsoMetadata.For(IsoLayout.ForRelease(baseVersion), label, stampedVersion, DateTimeOffset.FromUnixTimeSeconds(timestamp)),
        StampedVersion = stampedVersion,
        Engine = engine,
        OutputPath = outputPath,
    };

    /// <summary>The stamped files the planner adds for <paramref name="layout"/> (os-release from a minimal base, motd, /etc/version).</summary>
    public static void AddStamp(RootfsOverlay delta, IsoLayout layout, string stampedVersion, string? banner, long timestamp, string? baseOsRelease = null, string? baseMotd = null)
    {
        foreach (var entry in VersionStamp.Entries(baseOsRelease, baseMotd, layout, stampedVersion, banner, timestamp))
        {
            delta.Add(entry);
        }
    }

    /// <summary>Engine binaries as <c>EngineTarball</c> puts them: /usr/local/bin/NAME, 0755.</summary>
    public static EngineInput AddEngine(RootfsOverlay delta, string version, string tgz, long timestamp, params string[] names)
    {
        foreach (var name in names)
        {
            delta.Add(RootfsEntry.File($"usr/local/bin/{name}", BytesContent.FromText($"{name} {version} stand-in\n", name), 0x1ED, "engine tgz") with { ModificationTime = timestamp });
        }

        return new EngineInput(version, tgz, null, null, names);
    }
}
