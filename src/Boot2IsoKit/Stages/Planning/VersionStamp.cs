using Boot2IsoKit.Formats.OsRelease;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// The files that say which version a build is, and the recipe's banner, computed once for both
/// builders: /etc/os-release VERSION, VERSION_ID and PRETTY_NAME on both layouts (ID=boot2docker kept:
/// docker-machine's provisioner recognises boot2docker by it, libmachine/provision/boot2docker.go),
/// /etc/version on the old layout (its ISO's /version is <see cref="IsoMetadata.RootFiles"/>), and the
/// base's /etc/motd with the banner appended.
/// </summary>
internal static class VersionStamp
{
    /// <summary>Used when the base has no os-release (it always has one; this keeps the stamp total).</summary>
    private const string MinimalOsRelease = "NAME=Boot2Docker\nID=boot2docker\n";

    /// <param name="baseOsRelease">The base's /etc/os-release, or null when it has none.</param>
    /// <param name="baseMotd">The base's /etc/motd, or null when it has none.</param>
    public static IReadOnlyList<RootfsEntry> Entries(string? baseOsRelease, string? baseMotd, IsoLayout layout, string stampedVersion, string? banner, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var entries = new List<RootfsEntry> { TextFile("etc/os-release", OsReleaseText(baseOsRelease ?? MinimalOsRelease, stampedVersion), timestamp) };
        if (banner is { Length: > 0 })
        {
            entries.Add(TextFile("etc/motd", MotdText(baseMotd ?? "", banner), timestamp));
        }

        if (layout.RootfsVersionFile is { } versionFile)
        {
            entries.Add(TextFile(versionFile, stampedVersion + "\n", timestamp));
        }

        return entries;
    }

    /// <summary>The base's os-release with the new version; the old version inside PRETTY_NAME is replaced, other text kept.</summary>
    public static string OsReleaseText(string baseText, string stampedVersion)
    {
        var osRelease = OsReleaseFile.Parse(baseText);
        var oldVersion = osRelease["VERSION"];
        osRelease.Set("VERSION", stampedVersion);
        if (osRelease["VERSION_ID"] is not null)
        {
            osRelease.Set("VERSION_ID", stampedVersion);
        }

        var prettyName = osRelease["PRETTY_NAME"];
        osRelease.Set("PRETTY_NAME", prettyName is not null && oldVersion is { Length: > 0 } && prettyName.Contains(oldVersion, StringComparison.Ordinal)
            ? prettyName.Replace(oldVersion, stampedVersion, StringComparison.Ordinal)
            : $"Boot2Docker {stampedVersion}");
        return osRelease.ToString();
    }

    /// <summary>The base motd, a newline where it lacks its last one, then the banner ending in a newline.</summary>
    public static string MotdText(string baseMotd, string banner)
    {
        var motd = baseMotd.Length > 0 && !baseMotd.EndsWith('\n') ? baseMotd + "\n" : baseMotd;
        return motd + (banner.EndsWith('\n') ? banner : banner + "\n");
    }

    private static RootfsEntry TextFile(string path, string text, long timestamp) =>
        RootfsEntry.File(path, BytesContent.FromText(text, "/" + path + " (stamped)"), origin: "version stamp") with { ModificationTime = timestamp };
}
