using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Testing.Debian;

namespace Boot2IsoKit.Tests.Support;

/// <summary>Tests that download real Debian packages: skip without a configured mirror, fail under CI.</summary>
internal static class RequiresMirror
{
    public static DebianMirror Get()
    {
        var mirror = TestDebianSource.Mirror;
        if (mirror is null)
        {
            Requires.Missing($"no Debian mirror configured (set {DebianMirror.EnvironmentVariable} or apt's sources)");
        }

        return mirror!;
    }
}
