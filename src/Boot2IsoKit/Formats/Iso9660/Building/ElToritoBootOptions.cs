namespace Boot2IsoKit.Formats.Iso9660.Building;

/// <summary>
/// El Torito BIOS boot of an ISOLINUX-style no-emulation image. Defaults are what boot2docker uses
/// (mkisofs -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table).
/// </summary>
internal sealed record ElToritoBootOptions(string BootImagePath)
{
    /// <summary>Path at which the catalog is visible as a file; null keeps it hidden (no directory record).</summary>
    public string? CatalogPath { get; init; } = "isolinux/boot.cat";

    /// <summary>512-byte sectors the BIOS loads; ISOLINUX and isohybrid want 4.</summary>
    public ushort LoadSize { get; init; } = 4;

    /// <summary>Patch the 56-byte boot-info-table at byte 8 of the image's copy of the boot file.</summary>
    public bool PatchBootInfoTable { get; init; } = true;

    /// <summary>Validation entry platform: 0 = 80x86 BIOS.</summary>
    public byte Platform { get; init; }

    /// <summary>Boot media type: 0 = no emulation.</summary>
    public byte Media { get; init; }

    /// <summary>Load segment; 0 means the traditional 0x07C0.</summary>
    public ushort LoadSegment { get; init; }
}
