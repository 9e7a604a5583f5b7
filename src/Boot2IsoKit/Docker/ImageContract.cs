using System.Globalization;
using Boot2IsoKit.Layouts;

namespace Boot2IsoKit.Docker;

/// <summary>
/// What a boot2docker image of a given release promises to a derived Dockerfile: where the rootfs and
/// the ISO script are, where the script leaves the ISO, and which volume label it derives
/// (research: boot2docker.md §1a, §1c, §3).
/// </summary>
public sealed record ImageContract
{
    /// <summary>The rootfs the ISO script packs; <c>$ROOTFS</c> in the old image, <c>WORKDIR</c> in the new one.</summary>
    public const string RootfsDirectory = "/rootfs";

    public required IsoLayout Layout { get; init; }

    /// <summary>Absolute path of the ISO script, or a bare name found on PATH (new layout).</summary>
    public required string IsoScript { get; init; }

    /// <summary>Where the script writes the ISO inside the image (what the CMD cats).</summary>
    public required string IsoPath { get; init; }

    /// <summary>The directory the script packs as the ISO (the old image's /tmp/iso), or null when the script takes no extra ISO-root files.</summary>
    public string? IsoStagingDirectory { get; init; }

    /// <summary>Label the script derives from <paramref name="version"/> (the old <c>/etc/version</c> or the new <c>$DOCKER_VERSION</c>).</summary>
    public string DerivedLabel(string version) => LabelPrefix is null ? FixedLabel! : LabelPrefix + version;

    /// <summary>True when the script's label follows the version (so the version can steer it).</summary>
    public bool LabelFollowsVersion => LabelPrefix is not null;

    private string? LabelPrefix { get; init; }

    private string? FixedLabel { get; init; }

    public static ImageContract ForRelease(string baseVersion)
    {
        var layout = IsoLayout.ForRelease(baseVersion);
        var (major, minor, patch) = ParseRelease(baseVersion);
        if (layout == IsoLayout.New)
        {
            return new ImageContract
            {
                Layout = layout,
                IsoScript = "make-b2d-iso.sh",
                IsoPath = "/tmp/boot2docker.iso",
                // 18.09.0 shipped a constant label (boot2docker#1347); 18.09.1 introduced "b2d-v$DOCKER_VERSION".
                LabelPrefix = (major, minor, patch) == (18, 9, 0) ? null : "b2d-v",
                FixedLabel = "Boot2Docker",
            };
        }

        var beforeMove = (major, minor, patch).CompareTo((1, 12, 3)) <= 0;
        var longLabel = (major, minor, patch).CompareTo((1, 12, 1)) <= 0;
        return new ImageContract
        {
            Layout = layout,
            // PR #1226 moved the script to /tmp from 1.12.4 on (minishift#186: "/make_iso.sh: not found").
            IsoScript = beforeMove ? "/make_iso.sh" : "/tmp/make_iso.sh",
            IsoPath = "/boot2docker.iso",
            // The old Dockerfile copies etc/version to /tmp/iso/version, and make_iso.sh packs /tmp/iso.
            IsoStagingDirectory = "/tmp/iso",
            // Commit 763d3c5 (1.12.2) shortened "Boot2Docker-v" to "b2d-v" to fit 32 characters.
            LabelPrefix = longLabel ? "Boot2Docker-v" : "b2d-v",
        };
    }

    private static (int Major, int Minor, int Patch) ParseRelease(string version)
    {
        var parts = version.TrimStart('v').Split('.', '-');
        int Part(int i) => i < parts.Length && int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return (Part(0), Part(1), Part(2));
    }
}
