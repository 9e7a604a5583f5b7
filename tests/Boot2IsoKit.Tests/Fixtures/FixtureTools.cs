using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Fixtures;

/// <summary>The outside programs a fixture build and boot need.</summary>
internal static class FixtureTools
{
    /// <summary>
    /// Longer than <see cref="Boot2IsoKit.Testing.Qemu.QemuBoot.DefaultTimeout"/>: a boot takes ~20 s under TCG
    /// on two free cores, but test machines shared with other jobs were seen taking 80 s.
    /// </summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(4);

    public static void RequireBuild() =>
        Requires.Tools("apt-get", "apt-cache", "dpkg-deb", "cpio", "xz", "xorriso");

    public static void RequireBoot()
    {
        RequireBuild();
        Requires.Tools("qemu-system-x86_64");
    }
}
