namespace Boot2IsoKit.Stages.Verification;

/// <summary>How the VM is given the ISO.</summary>
internal enum VmBootMedium
{
    /// <summary>The ISO as the CD-ROM (El Torito), with docker-machine's userdata disk: VirtualBox and Hyper-V drivers.</summary>
    CdRomWithDataDisk,

    /// <summary>The hybrid image as the first hard disk (isohybrid MBR), as from a USB stick; no data disk.</summary>
    HardDisk,
}
