namespace Boot2IsoKit.Stages.Verification;

/// <summary>How QEMU runs the guest.</summary>
internal enum VmAccelerator
{
    /// <summary>QEMU's own translator: slow, but boots everywhere (KVM was seen to hang at ISOLINUX on some hosts).</summary>
    Tcg,

    /// <summary>Linux KVM: fast where /dev/kvm works.</summary>
    Kvm,
}
