using Boot2IsoKit.Content;
using Boot2IsoKit.OsRelease;
using Boot2IsoKit.Planning;
using Boot2IsoKit.Rootfs;

namespace Boot2IsoKit.Remaster;

/// <summary>
/// Writes the engine version where the base layout keeps it and the recipe's banner into the motd:
/// /etc/os-release VERSION and PRETTY_NAME on both layouts (ID=boot2docker kept, docker-machine's
/// provisioner looks for it), /etc/version on the old layout (the ISO's /version is set by the builder).
/// </summary>
public static class VersionStamp
{
    public static void AddTo(RootfsOverlay overlay, BaseIso baseIso, BuildPlan plan)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(baseIso);
        ArgumentNullException.ThrowIfNull(plan);
        var timestamp = plan.Timestamp;

        var osRelease = OsReleaseFile.Parse(baseIso.ReadRootfsText("etc/os-release") ?? "NAME=Boot2Docker\nID=boot2docker\n");
        var oldVersion = osRelease["VERSION"];
        osRelease.Set("VERSION", plan.StampedVersion);
        if (osRelease["VERSION_ID"] is not null)
        {
            osRelease.Set("VERSION_ID", plan.StampedVersion);
        }

        var prettyName = osRelease["PRETTY_NAME"];
        osRelease.Set("PRETTY_NAME", prettyName is not null && oldVersion is { Length: > 0 } && prettyName.Contains(oldVersion, StringComparison.Ordinal)
            ? prettyName.Replace(oldVersion, plan.StampedVersion, StringComparison.Ordinal)
            : $"Boot2Docker {plan.StampedVersion}");
        overlay.Add(TextFile("etc/os-release", osRelease.ToString(), timestamp));

        if (plan.MotdBanner is { Length: > 0 } banner)
        {
            var motd = baseIso.ReadRootfsText("etc/motd") ?? "";
            if (motd.Length > 0 && !motd.EndsWith('\n'))
            {
                motd += "\n";
            }

            overlay.Add(TextFile("etc/motd", motd + (banner.EndsWith('\n') ? banner : banner + "\n"), timestamp));
        }

        if (baseIso.Layout.RootfsVersionFile is { } versionFile)
        {
            overlay.Add(TextFile(versionFile, plan.StampedVersion + "\n", timestamp));
        }
    }

    private static RootfsEntry TextFile(string path, string text, long timestamp) =>
        RootfsEntry.File(path, BytesContent.FromText(text, "/" + path + " (stamped)"), origin: "version stamp") with { ModificationTime = timestamp };
}
