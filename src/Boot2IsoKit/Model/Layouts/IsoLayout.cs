namespace Boot2IsoKit.Model.Layouts;

/// <summary>
/// The two shapes a boot2docker ISO and image have had. They differ in where the kernel, the
/// ISOLINUX files and the version live, and in how the image builds its ISO
/// (boot2docker's Dockerfile and rootfs/make_iso.sh up to 18.06; Dockerfile and files/make-b2d-iso.sh from 18.09).
/// </summary>
internal sealed record IsoLayout
{
    /// <summary>≤ 18.06: /boot/vmlinuz64, /boot/isolinux/, /version and /etc/version, /make_iso.sh.</summary>
    public static readonly IsoLayout Old = new()
    {
        Name = "old",
        KernelPath = "boot/vmlinuz64",
        InitrdPath = "boot/initrd.img",
        IsolinuxDirectory = "boot/isolinux",
        IsoVersionFile = "version",
        RootfsVersionFile = "etc/version",
    };

    /// <summary>≥ 18.09: /boot/vmlinuz, /isolinux/, no version file (the label and os-release carry it).</summary>
    public static readonly IsoLayout New = new()
    {
        Name = "new",
        KernelPath = "boot/vmlinuz",
        InitrdPath = "boot/initrd.img",
        IsolinuxDirectory = "isolinux",
        IsoVersionFile = null,
        RootfsVersionFile = null,
    };

    public required string Name { get; init; }

    public required string KernelPath { get; init; }

    public required string InitrdPath { get; init; }

    public required string IsolinuxDirectory { get; init; }

    public string IsolinuxConfigPath => IsolinuxDirectory + "/isolinux.cfg";

    public string BootImagePath => IsolinuxDirectory + "/isolinux.bin";

    public string BootCatalogPath => IsolinuxDirectory + "/boot.cat";

    /// <summary>Path of the version file at the ISO root, where the layout has one.</summary>
    public string? IsoVersionFile { get; init; }

    /// <summary>Path of the version file inside the rootfs, where the layout has one.</summary>
    public string? RootfsVersionFile { get; init; }

    /// <summary>The layout a boot2docker release uses: <c>IsoLayout.ForRelease("v18.06.1-ce")</c> is <see cref="Old"/>.</summary>
    /// <remarks>Reads the version with <see cref="Boot2DockerVersion"/>, which owns the rule; kept for the planner's call.</remarks>
    public static IsoLayout ForRelease(string version) => Boot2DockerVersion.Parse(version).Layout;

    /// <summary>Recognises the layout of an ISO from the files it has.</summary>
    public static IsoLayout? Detect(Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(exists);
        if (exists(New.KernelPath) && exists(New.IsolinuxConfigPath))
        {
            return New;
        }

        return exists(Old.KernelPath) && exists(Old.IsolinuxConfigPath) ? Old : null;
    }
}
