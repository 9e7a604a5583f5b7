using Boot2IsoKit.Stages.Injection;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Qemu;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Remaster;

/// <summary>
/// Issue 5's proof: ipvsadm from the Debian mirror, injected with the libraries it needs, runs in the
/// booted fixture; a donor newer than the base's glibc is refused before anything is built, and the
/// same injection in bundled-loader mode runs on a Tiny-Core-shaped base (loader only in /lib).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InjectionBootTests : IDisposable
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(4);
    // The fixture kernel has no ip_vs module, so ipvsadm gets as far as asking the kernel for IPVS and
    // prints its own error: proof that the dynamic loader found every library and ipvsadm's code ran.
    /// <summary>ipvsadm ran, loaded its libraries and listed the kernel's IPVS table (the fixtures load ip_vs since they boot a real daemon).</summary>
    private const string IpvsadmRan = "IP Virtual Server version";
    private const string RunIpvsadm = "#!/bin/sh\nipvsadm -L -n 2>&1\nls /lib/ 2>&1\n";
    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static void RequireMirror()
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        if (Boot2IsoKit.Inputs.Debian.DebianMirror.FromConfiguration() is null)
        {
            Requires.Missing("no Debian mirror is configured (apt sources or B2IK_DEBIAN_MIRROR)");
        }
    }

    private string Recipe(FixtureIso fixture, string suite, string mode) => _harness.WriteRecipe($$"""
        name: ipvsadm-test
        base:
          iso: {{fixture.IsoPath}}
        overlays:
          - {overlay}
        packages:
          - deb: ipvsadm
            suite: {{suite}}
            binaries: [/sbin/ipvsadm]
            mode: {{mode}}
        """, new Dictionary<string, (string, int)> { ["etc/b2ik/test.d/60-ipvsadm"] = (RunIpvsadm, 0x1ED) });

    [Fact]
    public async Task Ipvsadm_from_an_older_suite_runs_with_only_the_libraries_the_base_lacks()
    {
        RequireMirror();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct); // bookworm glibc 2.36, donor bullseye
        var record = await _harness.BuildAsync(Recipe(fixture, "bullseye", "closure"));

        var boot = await QemuBoot.RunAsync(record.Iso, BootMedium.CdRom, BootTimeout, ct);

        Assert.True(boot.ReachedDone, boot.Excerpt());
        var output = boot.Section("60-ipvsadm");
        Assert.Contains(IpvsadmRan, output, StringComparison.Ordinal);
        Assert.DoesNotContain("error while loading shared libraries", output, StringComparison.Ordinal);
        Assert.Contains("libnl-3.so.200", output, StringComparison.Ordinal);

        // The base's own C library was reused, not duplicated.
        var changes = Boot2IsoKit.Stages.Inspection.IsoInspector.Describe(record.Iso, fixture.IsoPath);
        Assert.DoesNotContain("libc.so.6", changes, StringComparison.Ordinal);
        Assert.DoesNotContain("libc-2.", changes, StringComparison.Ordinal);
        Assert.Contains("libpopt.so.0", changes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_donor_newer_than_the_base_glibc_is_refused_before_anything_is_built()
    {
        RequireMirror();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, new FixtureOptions { GlibcSuite = "bullseye", Lib64Link = false }, ct);

        var error = await Assert.ThrowsAsync<LibraryCompatibilityException>(() => _harness.BuildAsync(Recipe(fixture, "trixie", "closure")));

        Assert.Contains("ipvsadm", error.Message, StringComparison.Ordinal);
        Assert.Contains("GLIBC_2.3", error.Message, StringComparison.Ordinal);
        Assert.Contains("2.31", error.Message, StringComparison.Ordinal);
        Assert.Contains("bundled", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(_harness.Path("out.iso")));
    }

    [Fact]
    public async Task The_same_injection_in_bundled_mode_runs_on_a_tiny_core_shaped_base()
    {
        RequireMirror();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, new FixtureOptions { GlibcSuite = "bullseye", Lib64Link = false }, ct);
        var record = await _harness.BuildAsync(Recipe(fixture, "trixie", "auto"));

        var boot = await QemuBoot.RunAsync(record.Iso, BootMedium.CdRom, BootTimeout, ct);

        Assert.True(boot.ReachedDone, boot.Excerpt());
        var output = boot.Section("60-ipvsadm");
        Assert.Contains(IpvsadmRan, output, StringComparison.Ordinal);
        Assert.DoesNotContain("error while loading shared libraries", output, StringComparison.Ordinal);
        Assert.Contains("/opt/b2ik/ipvsadm/lib/libc.so.6", Boot2IsoKit.Stages.Inspection.IsoInspector.Describe(record.Iso, fixture.IsoPath), StringComparison.Ordinal);
    }
}
