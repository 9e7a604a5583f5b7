using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Qemu;
using Boot2IsoKit.Tests.Initramfs;
using Boot2IsoKit.Tests.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.TinyCore;

/// <summary>
/// Issue 17's boot test: an ISO built with an extension boots in QEMU, a binary from the extension runs, and
/// the extension's /usr/local/tce.installed script has run at boot (as root, through /tmp/setup.lst, the way
/// Tiny Core's tce-setup runs it; the fixture's /init does the same).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExtensionBootTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_binary_from_an_extension_runs_in_the_vm_after_its_tce_installed_script_ran()
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "cpio", "xz", "mksquashfs");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        using var scratch = new Scratch();
        // A real static ELF binary (Debian's busybox-static, which runs an applet only when called busybox) as
        // the extension's program, at a path the base does not have; its setup script
        // leaves a mark in /etc, which only root can write.
        await scratch.Sh("""
            mkdir -p tcz/usr/local/bin tcz/usr/local/tce.installed
            cp -L /bin/busybox tcz/usr/local/bin/busybox && chmod 755 tcz/usr/local/bin/busybox
            printf '#!/bin/sh\necho "ran as $(id -u)" > /etc/b2ik-extension-setup\n' > tcz/usr/local/tce.installed/b2ik-box
            chmod 755 tcz/usr/local/tce.installed/b2ik-box
            mksquashfs tcz b2ik-box.tcz -b 4K -noappend -no-progress -quiet -all-root
            """);
        await using var mirror = await TinyCoreMirrorServer.StartAsync(10);
        mirror.Add("b2ik-box.tcz", await File.ReadAllBytesAsync(scratch["b2ik-box.tcz"], ct));
        using var harness = new RemasterHarness();
        var recipe = harness.WriteRecipe(
            $$"""
            name: extension-boot
            base:
              iso: {{fixture.IsoPath}}
            overlays:
              - {overlay}
            extensions: [b2ik-box]
            tinycore:
              mirror: {{mirror.Http.BaseAddress}}
            """,
            new Dictionary<string, (string, int)>
            {
                ["etc/b2ik/test.d/70-extension"] = ("#!/bin/sh\ncat /etc/b2ik-extension-setup\n/usr/local/bin/busybox echo hello from the extension\n[ -e /tmp/setup.lst ] || echo setup list consumed\n", 0x1ED),
            });

        var record = await harness.BuildAsync(recipe, ("cache-dir", harness.Path("cache")));
        var boot = await QemuBoot.RunAsync(record.Iso, BootMedium.CdRom, BootTimeout, ct);

        Assert.True(boot.ReachedDone, boot.Excerpt());
        var output = boot.Section("70-extension");
        Assert.Contains("ran as 0", output, StringComparison.Ordinal);
        Assert.Contains("hello from the extension", output, StringComparison.Ordinal);
        Assert.Contains("setup list consumed", output, StringComparison.Ordinal);
    }
}
