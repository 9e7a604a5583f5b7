using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Inputs.TinyCore;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Tests.Formats.Initramfs;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.TinyCore;

/// <summary>
/// Extensions made with mksquashfs, installed into an overlay as tce-load -ic would: the overlay, written
/// as the initrd's cpio member and unpacked by GNU cpio, holds the same tree unsquashfs extracts (minus the
/// base file cp -ai keeps), plus tce-load's records and the boot list tce-setup runs.
/// </summary>
public sealed class ExtensionInstallerTests
{
    private const long Timestamp = 1_600_000_000;

    [Fact]
    public async Task Copies_like_tce_load_copy_mode_records_each_extension_and_lists_its_script_for_boot()
    {
        Requires.Tools("mksquashfs", "unsquashfs", "cpio");
        using var scratch = new Scratch();
        await scratch.Sh("""
            mkdir -p tool/usr/local/bin tool/usr/local/lib tool/usr/local/tce.installed tool/usr/local/share/tool tool/etc
            printf '#!/bin/sh\necho tool\n' > tool/usr/local/bin/tool && chmod 755 tool/usr/local/bin/tool
            ln tool/usr/local/bin/tool tool/usr/local/share/tool/same-tool
            head -c 10000 /dev/urandom > tool/usr/local/lib/libtool.so.1 && ln -s libtool.so.1 tool/usr/local/lib/libtool.so
            printf '#!/bin/sh\necho ran > /tmp/tool-ran\n' > tool/usr/local/tce.installed/tool && chmod 775 tool/usr/local/tce.installed/tool
            printf 'from the extension\n' > tool/etc/motd
            mkdir -p data/usr/local/share/data && printf data > data/usr/local/share/data/file
            mkdir -p already/usr/local/bin && printf x > already/usr/local/bin/already
            for e in tool data already; do mksquashfs $e $e.tcz -b 4K -noappend -no-progress -quiet; done
            """);
        string[] names = ["tool", "data", "already"];
        var extensions = names
            .Select(n => new ResolvedExtension(n + ".tcz", scratch[n + ".tcz"], new Uri(scratch[n + ".tcz"]), "unused"))
            .ToList();
        var basePaths = new HashSet<string>(StringComparer.Ordinal) { "etc", "etc/motd", "tmp", "usr/local/tce.installed/already" };
        var overlay = new RootfsOverlay();

        using var installer = ExtensionInstaller.Open(extensions);
        var report = installer.AddTo(overlay, basePaths.Contains, Timestamp);

        Assert.Equal(["tool.tcz", "data.tcz"], report.Installed);
        Assert.Equal(["already.tcz"], report.AlreadyInstalled);
        Assert.Equal(["etc/motd"], report.KeptBasePaths);
        Assert.Equal(["/usr/local/tce.installed/tool"], report.BootScripts);
        Assert.True(overlay.TryGet("tmp", out var tmp) && tmp.Permissions == 0x3FF);

        await using (var file = File.Create(scratch["overlay.cpio"]))
        using (var writer = new CpioWriter(file))
        {
            writer.WriteEntries(overlay.EntriesWithParents());
            writer.WriteTrailer();
        }

        await scratch.Sh("""
            mkdir unpacked && cd unpacked && cpio -idm --quiet < ../overlay.cpio && cd ..
            unsquashfs -q -no-progress -d expected tool.tcz >/dev/null && unsquashfs -q -no-progress -f -d expected data.tcz >/dev/null
            rm expected/etc/motd
            """);
        Assert.Equal("/usr/local/tce.installed/tool\n", await File.ReadAllTextAsync(scratch["unpacked/tmp/setup.lst"], TestContext.Current.CancellationToken));
        Assert.Equal(0, new FileInfo(scratch["unpacked/usr/local/tce.installed/data"]).Length);
        await scratch.Sh("rm unpacked/tmp/setup.lst unpacked/usr/local/tce.installed/data && rmdir unpacked/tmp && diff -r --no-dereference expected unpacked");
        var modes = await scratch.Sh("cd unpacked && stat -c '%n %a %h' usr/local/bin/tool usr/local/share/tool/same-tool usr/local/tce.installed/tool");
        Assert.Equal("usr/local/bin/tool 755 2\nusr/local/share/tool/same-tool 755 2\nusr/local/tce.installed/tool 775 1\n", modes);
    }

    [Fact]
    public async Task A_legacy_base_runs_tce_installed_itself_so_no_boot_list_is_written()
    {
        Requires.Tools("mksquashfs");
        using var scratch = new Scratch();
        await scratch.Sh("""
            mkdir -p tool/usr/local/tce.installed && printf '#!/bin/sh\n' > tool/usr/local/tce.installed/tool && chmod 755 tool/usr/local/tce.installed/tool
            mksquashfs tool tool.tcz -noappend -no-progress -quiet
            """);
        var overlay = new RootfsOverlay();

        using var installer = ExtensionInstaller.Open([new ResolvedExtension("tool.tcz", scratch["tool.tcz"], new Uri(scratch["tool.tcz"]), "unused")]);
        var report = installer.AddTo(overlay, p => p == ExtensionInstaller.LegacyLoader, Timestamp);

        Assert.Equal(["/usr/local/tce.installed/tool"], report.BootScripts);
        Assert.False(overlay.TryGet(ExtensionInstaller.SetupList, out _));
        Assert.True(overlay.TryGet("usr/local/tce.installed/tool", out var script) && script.Kind == RootfsEntryKind.File);
    }
}
