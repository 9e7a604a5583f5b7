namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>
/// The lines a fixture's <c>/init</c> prints on the serial console (ttyS0), so a test can read what
/// happened inside the VM. Order:
/// <code>
/// B2IK-BOOTED
/// B2IK-BEGIN motd            (cat /etc/motd)
/// ...
/// B2IK-END motd rc=0
/// B2IK-BEGIN os-release      (cat /etc/os-release)
/// B2IK-BEGIN docker-version  (docker --version, PATH starts with /usr/local/bin)
/// B2IK-BEGIN uname           (uname -r)
/// B2IK-BEGIN glibc           (/lib/ld-linux-x86-64.so.2 /lib/libc.so.6: the rootfs glibc runs and prints its version)
/// B2IK-BEGIN &lt;file name&gt;    (every executable /etc/b2ik/test.d/*, sorted, stdout+stderr)
/// B2IK-DONE
/// </code>
/// then the VM powers off. Every section ends with a newline before its END line.
/// </summary>
internal static class FixtureMarkers
{
    public const string Booted = "B2IK-BOOTED";
    public const string Begin = "B2IK-BEGIN";
    public const string End = "B2IK-END";
    public const string Done = "B2IK-DONE";

    public const string Motd = "motd";
    public const string OsRelease = "os-release";
    public const string DockerVersion = "docker-version";
    public const string Uname = "uname";
    public const string Glibc = "glibc";

    /// <summary>Directory in the VM whose executable files run in sorted order, each as a section named by its file name.</summary>
    public const string TestScriptDirectory = "/etc/b2ik/test.d";

    public static string BeginLine(string name) => $"{Begin} {name}";

    public static string EndLinePrefix(string name) => $"{End} {name} rc=";
}
