using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Errors;

namespace Boot2IsoKit.Layouts;

/// <summary>
/// The two shapes a boot2docker ISO and image have had. They differ in where the kernel, the
/// ISOLINUX files and the version live, and in how the image builds its ISO
/// (research: boot2docker.md §1a and §1c).
/// </summary>
public sealed partial record IsoLayout
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

    /// <summary>
    /// The layout a boot2docker release uses: 18.09.0 rewrote the build ("new code", commit c2b60ab).
    /// Accepts tags and versions (v18.06.1-ce, 19.03.12); suffixes of forks are ignored.
    /// </summary>
    public static IsoLayout ForRelease(string version)
    {
        var match = LeadingNumbers().Match(version ?? string.Empty);
        if (!match.Success
            || !int.TryParse(match.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(match.Groups["minor"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            throw new InvalidInputException("boot2docker version", $"'{version}'", "does not start with a version number such as v19.03.12");
        }

        return (major, minor).CompareTo((18, 9)) >= 0 ? New : Old;
    }

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

    [GeneratedRegex(@"^\s*[vV]?(?<major>\d{1,9})\.(?<minor>\d{1,9})", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingNumbers();
}
