namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>The two boot2docker ISO layouts (up to 18.06: rootfs/make_iso.sh; from 18.09: files/make-b2d-iso.sh).</summary>
public enum FixtureLayout
{
    /// <summary>boot2docker ≥ 18.09: <c>/boot/vmlinuz</c>, config in <c>/isolinux/</c>, volume id <c>b2d-v19.03.12</c>.</summary>
    New,

    /// <summary>boot2docker ≤ 18.06: <c>/boot/vmlinuz64</c>, config in <c>/boot/isolinux/</c>, <c>/version</c>, volume id <c>b2d-v18.06.1-ce</c>.</summary>
    Old,
}
