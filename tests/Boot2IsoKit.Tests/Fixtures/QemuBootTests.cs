using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Qemu;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Tests.Fixtures;

/// <summary>The harness itself: a VM that never powers off is killed and reported, the ISO stays untouched.</summary>
public sealed class QemuBootTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-qemu-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_vm_waiting_forever_at_the_isolinux_prompt_is_killed_at_the_timeout()
    {
        FixtureTools.RequireBoot();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        // The fixture's ISOLINUX files with a config that waits for a key forever (timeout 0).
        var tree = Directory.CreateDirectory(Path.Combine(_directory, "tree", "isolinux")).FullName;
        foreach (var file in new[] { "isolinux.bin", "ldlinux.c32" })
        {
            File.Copy(Path.Combine(fixture.IsoTreeDirectory, "isolinux", file), Path.Combine(tree, file));
        }

        await File.WriteAllTextAsync(Path.Combine(tree, "isolinux.cfg"), "serial 0\nprompt 1\ntimeout 0\n", ct);
        var iso = Path.Combine(_directory, "waits.iso");
        await ExternalTool.RunCheckedAsync("xorriso", [
            "-as", "mkisofs", "-o", iso, "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
            "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table", Path.GetDirectoryName(tree)!,
        ], cancellationToken: ct);
        var before = await File.ReadAllBytesAsync(iso, ct);

        var boot = await QemuBoot.RunAsync(iso, BootMedium.CdRom, TimeSpan.FromSeconds(30), ct);

        Assert.True(boot.TimedOut, boot.Excerpt());
        Assert.False(boot.ReachedDone);
        Assert.Contains("boot:", boot.Console, StringComparison.Ordinal);
        Assert.Contains("timed out", boot.Excerpt(), StringComparison.Ordinal);
        Assert.Throws<BootAssertionException>(() => boot.Section(FixtureMarkers.Motd));
        Assert.Equal(before, await File.ReadAllBytesAsync(iso, ct));
    }
}
