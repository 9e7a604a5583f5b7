using Boot2IsoKit.Stages.Verification;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Formats.Initramfs;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.TinyCore;

/// <summary>
/// An ISO built with an extension passes Verify: a binary from the extension runs in the VM, and the
/// extension's /usr/local/tce.installed script has run at boot (as root, through /tmp/setup.lst, the way Tiny
/// Core's tce-setup runs it; the fixture's /init does the same).
/// </summary>
[Collection(Boot2IsoKit.Tests.Stages.Verification.VerifyBoots.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExtensionBootTests
{
    [Fact]
    public async Task Verify_runs_a_binary_from_an_extension_after_its_tce_installed_script_ran()
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "cpio", "xz", "depmod", "mksquashfs");
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
        // Booted by Verify, as docker-machine boots it, with the engine pinned: the recipe's own verify:
        // commands use the extension, each a row that must pass.
        var engine = await DebianTestEngine.GetAsync(ct);
        var recipe = harness.WriteRecipe(
            $$"""
            name: extension-boot
            base:
              iso: {{fixture.IsoPath}}
            {{engine.RecipeBlock()}}
            extensions: [b2ik-box]
            tinycore:
              mirror: {{mirror.Http.BaseAddress}}
            verify:
              - cat /etc/b2ik-extension-setup
              - /usr/local/bin/busybox echo hello from the extension
              - "[ ! -e /tmp/setup.lst ] && echo setup list consumed"
            """);

        var record = await harness.BuildAsync(recipe, ("cache-dir", harness.Path("cache")));
        var report = await new IsoVerifier(new VerifyOptions { Boots = [VmBootMedium.CdRomWithDataDisk] }, message => TestContext.Current.SendDiagnosticMessage(message))
            .VerifyAsync(record.Iso, record.Verify!, ct);

        Assert.True(report.Passed, report.ToText());
        Assert.Contains(report.Rows, r => r.Check == "verify: cat /etc/b2ik-extension-setup" && r.Detail.Contains("ran as 0", StringComparison.Ordinal));
        Assert.Contains(report.Rows, r => r.Check == "verify: /usr/local/bin/busybox echo hello from the extension" && r.Detail.Contains("hello from the extension", StringComparison.Ordinal));
        Assert.Contains(report.Rows, r => r.Check.StartsWith("verify: [ ! -e /tmp/setup.lst ]", StringComparison.Ordinal) && r.Detail.Contains("setup list consumed", StringComparison.Ordinal));
    }
}
