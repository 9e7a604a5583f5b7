namespace Boot2IsoKit.Testing.Qemu;

/// <summary>How QEMU presents the ISO to the BIOS.</summary>
public enum BootMedium
{
    /// <summary>An IDE CD-ROM: El Torito boot of isolinux.bin.</summary>
    CdRom,

    /// <summary>An IDE hard disk (read-only snapshot): the isohybrid MBR boot, as from a USB stick.</summary>
    HardDisk,
}
