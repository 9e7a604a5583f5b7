using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Fixtures;

/// <summary>The outside programs a fixture build and boot need.</summary>
internal static class FixtureTools
{
    public static void RequireBuild() =>
        Requires.Tools("apt-get", "apt-cache", "dpkg-deb", "cpio", "xz", "xorriso");

    public static void RequireBoot()
    {
        RequireBuild();
        Requires.Tools("qemu-system-x86_64");
    }
}
