using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Testing.Debian;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Injection;

/// <summary>Donor and target roots made of real Debian packages from the configured mirror.</summary>
internal static class DebianRoots
{
    /// <summary>ipvsadm and everything it depends on (libc6 included, essential packages left out), extracted into one directory.</summary>
    public static async Task<string> IpvsadmDonorAsync(string suite, string parent)
    {
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var index = await TestDebianSource.IndexAsync(mirror, suite, cancellationToken: ct);
        var packages = index.Resolve(["ipvsadm"]).Packages;
        var directory = Path.Combine(parent, $"donor-{suite}");
        await TestDebianSource.Repository(mirror).ExtractAllAsync(packages, directory, cancellationToken: ct);
        return directory;
    }

    /// <summary>A target that holds only a suite's libc6 (its glibc and loader).</summary>
    public static async Task<string> LibcTargetAsync(string suite, string parent)
    {
        var mirror = RequiresMirror.Get();
        return await TestDebianSource.ExtractAsync(mirror, suite, "libc6", Path.Combine(parent, "targets"), cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>Where the suite installs ipvsadm (/sbin before the usr merge, /usr/sbin after).</summary>
    public static string IpvsadmPath(string donor) =>
        File.Exists(Path.Combine(donor, "usr/sbin/ipvsadm")) ? "/usr/sbin/ipvsadm" : "/sbin/ipvsadm";
}
