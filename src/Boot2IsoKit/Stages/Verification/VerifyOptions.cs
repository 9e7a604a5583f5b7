namespace Boot2IsoKit.Stages.Verification;

/// <summary>How Verify boots: accelerator, memory, which boots, how long to wait.</summary>
internal sealed record VerifyOptions
{
    /// <summary>TCG unless asked: KVM was seen to hang at ISOLINUX on some hosts.</summary>
    public VmAccelerator Accelerator { get; init; } = VmAccelerator.Tcg;

    /// <summary>docker-machine's VirtualBox default is 1 GiB; the ISO's root is a tmpfs copy of the initrd, so give room.</summary>
    public int MemoryMegabytes { get; init; } = 2048;

    public IReadOnlyList<VmBootMedium> Boots { get; init; } = [VmBootMedium.CdRomWithDataDisk, VmBootMedium.HardDisk];

    /// <summary>From QEMU's start to an SSH login.</summary>
    public TimeSpan SshTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>From the login to a daemon that answers <c>docker version</c>.</summary>
    public TimeSpan DaemonTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Boot with no network beyond the SSH port (what an air-gapped site has): the preloaded images must come from the ISO.</summary>
    public bool IsolatedNetwork { get; init; }

    /// <summary>From the daemon's answer to every preloaded image being loaded (they load in the background after it starts).</summary>
    public TimeSpan ImagesTimeout { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>The blank data disk docker-machine attaches (sparse).</summary>
    public long DataDiskBytes { get; init; } = 2L << 30;
}
