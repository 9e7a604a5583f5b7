using Boot2IsoKit.Model.Layouts;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>
/// What a boot2docker image of a given release promises to a derived Dockerfile: where the rootfs and
/// the ISO script are, where the script leaves the ISO, and which volume label it derives
/// (boot2docker's Dockerfile, rootfs/make_iso.sh up to 18.06 and files/make-b2d-iso.sh from 18.09, and doc/BUILD.md).
/// </summary>
internal sealed record ImageContract
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

    /// <exception cref="Boot2IsoKit.Plumbing.Errors.InvalidInputException">The version does not start with a version number.</exception>
    public static ImageContract ForRelease(string baseVersion) => ForRelease(Boot2DockerVersion.Parse(baseVersion));

    public static ImageContract ForRelease(Boot2DockerVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var layout = version.Layout;
        if (layout == IsoLayout.New)
        {
            return new ImageContract
            {
                Layout = layout,
                IsoScript = "make-b2d-iso.sh",
                IsoPath = "/tmp/boot2docker.iso",
                // files/make-b2d-iso.sh packs /tmp/iso (the kernel, isolinux and the initrd it writes there) as the ISO.
                IsoStagingDirectory = "/tmp/iso",
                // 18.09.0 shipped a constant label (boot2docker#1347); 18.09.1 introduced "b2d-v$DOCKER_VERSION".
                LabelPrefix = version.IsAtLeast(18, 9, 1) ? "b2d-v" : null,
                FixedLabel = "Boot2Docker",
            };
        }

        return new ImageContract
        {
            Layout = layout,
            // PR #1226 moved the script to /tmp from 1.12.4 on (minishift#186: "/make_iso.sh: not found").
            IsoScript = version.IsAtLeast(1, 12, 4) ? "/tmp/make_iso.sh" : "/make_iso.sh",
            IsoPath = "/boot2docker.iso",
            // The old Dockerfile copies etc/version to /tmp/iso/version, and make_iso.sh packs /tmp/iso.
            IsoStagingDirectory = "/tmp/iso",
            // Commit 763d3c5 (1.12.2) shortened "Boot2Docker-v" to "b2d-v" to fit 32 characters.
            LabelPrefix = version.IsAtLeast(1, 12, 2) ? "b2d-v" : "Boot2Docker-v",
        };
    }
}
