using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Stages.MachineCache;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Qemu;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Remaster;

/// <summary>
/// Issue 4's proof: a fixture base remastered by the native builder, with a real engine tgz, a motd
/// banner and an overlay, boots in QEMU and shows the pinned engine, the banner and the stamped os-release.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NativeRemasterBootTests : IDisposable
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(4);
    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(FixtureLayout.New, "append", BootMedium.CdRom)]
    [InlineData(FixtureLayout.New, "merge", BootMedium.HardDisk)]
    [InlineData(FixtureLayout.Old, "append", BootMedium.HardDisk)]
    [InlineData(FixtureLayout.Old, "merge", BootMedium.CdRom)]
    public async Task A_remastered_base_boots_with_the_pinned_engine_banner_and_version(FixtureLayout layout, string initrdMode, BootMedium medium)
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(layout, ct: ct);
        var engine = await TestEngine.CreateAsync(_harness.Path("engine"), ct);
        var recipe = _harness.WriteRecipe($$"""
            name: boot-test
            base:
              iso: {{fixture.IsoPath}}
            engine:
              version: {{engine.Version}}
              tgz: {{engine.TgzPath}}
            motd: |
              WARNING: remastered by a test ({{initrdMode}}).
            overlays:
              - {overlay}
            initrd: {{initrdMode}}
            """, new Dictionary<string, (string, int)>
        {
            ["etc/b2ik/test.d/50-overlay"] = ("#!/bin/sh\necho overlay script ran\ncat /etc/b2ik-overlay-note\n", 0x1ED),
            ["etc/b2ik-overlay-note"] = ("from the overlay\n", 0x1A4),
        });

        var record = await _harness.BuildAsync(recipe);
        var boot = await QemuBoot.RunAsync(record.Iso, medium, BootTimeout, ct);

        Assert.True(boot.ReachedDone, "the VM did not finish its markers:\n" + boot.Excerpt());
        Assert.Contains($"Docker version {engine.Version}", boot.Section("docker-version"), StringComparison.Ordinal);
        Assert.Contains($"WARNING: remastered by a test ({initrdMode}).", boot.Section("motd"), StringComparison.Ordinal);
        Assert.Contains(File.ReadAllText(Path.Combine(fixture.RootfsDirectory, "etc/motd")).Trim(), boot.Section("motd"), StringComparison.Ordinal);
        var osRelease = boot.Section("os-release");
        Assert.Contains("ID=boot2docker", osRelease, StringComparison.Ordinal);
        Assert.Contains($"VERSION={engine.Version}", osRelease, StringComparison.Ordinal);
        Assert.Contains("overlay script ran\nfrom the overlay", boot.Section("50-overlay"), StringComparison.Ordinal);

        // docker-machine's rule: 32 bytes at 0x8028, trimmed, text after the first "-v".
        var label = new byte[32];
        await using (var iso = File.OpenRead(record.Iso))
        {
            iso.Position = 0x8028;
            iso.ReadExactly(label);
        }

        Assert.Equal("v" + engine.Version, VolumeLabel.ParseVersion(System.Text.Encoding.ASCII.GetString(label)));
        if (initrdMode == "merge")
        {
            // The merge writes the lzma base's rootfs as xz, independent blocks on every core: the kernel read it.
            using var image = IsoImage.Open(record.Iso);
            using var initrd = new MemoryStream();
            await using (var source = image.OpenFile(image.Find("boot/initrd.img")!))
            {
                await source.CopyToAsync(initrd, ct);
            }

            var members = new Boot2IsoKit.Formats.Initramfs.InitrdReader(initrd, "merged initrd").ListMembers();
            var member = Assert.Single(members);
            Assert.Equal(Boot2IsoKit.Formats.Initramfs.InitrdCompression.Xz, member.Compression);
            var path = _harness.Path("merged-initrd.xz");
            await File.WriteAllBytesAsync(path, initrd.ToArray(), ct);
            var test = await Boot2IsoKit.Testing.Tools.ExternalTool.RunAsync("xz", ["-t", path], cancellationToken: ct);
            Assert.True(test.ExitCode == 0, "xz -t of the merged initrd: " + test.StandardError);
        }

        if (layout == FixtureLayout.Old)
        {
            using var image = IsoImage.Open(record.Iso);
            using var version = new StreamReader(image.OpenFile(image.Find("version")!));
            Assert.Equal(engine.Version, (await version.ReadToEndAsync(ct)).Trim());
        }
    }

    [Fact]
    public async Task An_appended_overlay_entry_overrides_the_base_file_at_boot()
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var baseMotd = File.ReadAllText(Path.Combine(fixture.RootfsDirectory, "etc/motd"));
        var recipe = _harness.WriteRecipe($$"""
            name: override-test
            base:
              iso: {{fixture.IsoPath}}
            overlays:
              - {overlay}
            """, new Dictionary<string, (string, int)> { ["etc/motd"] = ("replaced by the overlay\n", 0x1A4) });

        var record = await _harness.BuildAsync(recipe);
        var boot = await QemuBoot.RunAsync(record.Iso, BootMedium.CdRom, BootTimeout, ct);

        Assert.True(boot.ReachedDone, boot.Excerpt());
        Assert.Equal("replaced by the overlay", boot.Section("motd").Trim());
        Assert.DoesNotContain(baseMotd.Trim(), boot.Section("motd"), StringComparison.Ordinal);
    }
}
