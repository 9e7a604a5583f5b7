using Boot2IsoKit.Inputs.TinyCore;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Formats.Initramfs;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.TinyCore;

/// <summary>
/// The recipe key <c>extensions:</c> end to end: recipe file → planner → native build, the extension and
/// its dependency from a loopback Tiny Core mirror, the base's release read from the base ISO; the ISO's
/// rootfs then holds their files, tce-load's records and the boot-time setup list.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExtensionBuildTests
{
    [Fact]
    public async Task A_recipe_s_extensions_and_their_dependencies_are_in_the_built_iso_s_rootfs()
    {
        Requires.Tools("xorriso", "cpio", "xz", "mksquashfs");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct); // os-release says "(TCL 10.1)"
        using var scratch = new Scratch();
        await scratch.Sh("""
            mkdir -p tool/usr/local/bin tool/usr/local/tce.installed lib/usr/local/lib
            printf '#!/bin/sh\necho tool\n' > tool/usr/local/bin/b2ik-tool && chmod 755 tool/usr/local/bin/b2ik-tool
            printf '#!/bin/sh\nldconfig\n' > tool/usr/local/tce.installed/b2ik-tool && chmod 755 tool/usr/local/tce.installed/b2ik-tool
            ln -s b2ik-tool tool/usr/local/bin/b2ik-tool-link
            printf 'library bytes' > lib/usr/local/lib/libb2ik.so.1
            mksquashfs tool b2ik-tool.tcz -b 4K -noappend -no-progress -quiet -all-root
            mksquashfs lib b2ik-lib.tcz -b 4K -noappend -no-progress -quiet -all-root
            """);
        await using var mirror = await TinyCoreMirrorServer.StartAsync(10);
        mirror.Add("b2ik-tool.tcz", await File.ReadAllBytesAsync(scratch["b2ik-tool.tcz"], ct), ["b2ik-lib.tcz"]);
        mirror.Add("b2ik-lib.tcz", await File.ReadAllBytesAsync(scratch["b2ik-lib.tcz"], ct));
        using var harness = new RemasterHarness();
        var recipe = harness.WriteRecipe($$"""
            name: extensions
            base:
              iso: {{fixture.IsoPath}}
            extensions: [b2ik-tool]
            tinycore:
              mirror: {{mirror.Http.BaseAddress}}
            """);

        var record = await harness.BuildAsync(recipe, ("cache-dir", harness.Path("cache")));

        var rootfs = BuiltRootfs.Read(record.Iso);
        Assert.Equal("#!/bin/sh\necho tool\n", rootfs.ReadAllText("usr/local/bin/b2ik-tool"));
        Assert.Equal(0x1ED, rootfs.Find("usr/local/bin/b2ik-tool")!.Header.Permissions);
        Assert.Equal("b2ik-tool", rootfs.Find("usr/local/bin/b2ik-tool-link")!.SymlinkTarget);
        Assert.Equal("library bytes", rootfs.ReadAllText("usr/local/lib/libb2ik.so.1"));
        // tce-load's records: the extension's own script, an empty file for the one without.
        Assert.Equal("#!/bin/sh\nldconfig\n", rootfs.ReadAllText($"{ExtensionInstaller.InstalledDirectory}/b2ik-tool"));
        Assert.Equal("", rootfs.ReadAllText($"{ExtensionInstaller.InstalledDirectory}/b2ik-lib"));
        // Tiny Core's tce-setup runs each line of /tmp/setup.lst at boot; /tmp keeps its sticky mode.
        Assert.Equal("/usr/local/tce.installed/b2ik-tool\n", rootfs.ReadAllText(ExtensionInstaller.SetupList));
        Assert.Equal(0x3FF, rootfs.Find("tmp")!.Header.Permissions);
        Assert.Equal(1, mirror.RequestsFor("b2ik-lib.tcz"));
    }
}
