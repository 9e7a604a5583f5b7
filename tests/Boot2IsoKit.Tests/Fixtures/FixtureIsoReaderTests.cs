using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Fixtures;

/// <summary>Independent readers (isoinfo, xorriso, xz + cpio) agree that a fixture is laid out like boot2docker.</summary>
public class FixtureIsoReaderTests
{
    [Theory]
    [InlineData(FixtureLayout.New, "b2d-v19.03.12", "/isolinux/isolinux.bin", "/isolinux/boot.cat")]
    [InlineData(FixtureLayout.Old, "b2d-v18.06.1-ce", "/boot/isolinux/isolinux.bin", "/boot/isolinux/boot.cat")]
    public async Task Isoinfo_and_xorriso_see_the_volume_id_and_the_boot_image(FixtureLayout layout, string volumeId, string bootImage, string catalog)
    {
        FixtureTools.RequireBuild();
        Requires.Tools("isoinfo");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(layout, ct: ct);
        Assert.Equal(volumeId, fixture.VolumeId);

        var info = await ExternalTool.RunCheckedAsync("isoinfo", ["-d", "-i", fixture.IsoPath], cancellationToken: ct);
        Assert.Contains($"Volume id: {volumeId}", info.StandardOutput.Split('\n'));
        Assert.Contains("Rock Ridge signatures version 1 found", info.StandardOutput, StringComparison.Ordinal);
        // make-b2d-iso.sh passes no -J; legacy make_iso.sh passes -l -J -R.
        Assert.Contains(layout == FixtureLayout.New ? "NO Joliet present" : "Joliet with UCS level 3 found", info.StandardOutput, StringComparison.Ordinal);

        var torito = await ExternalTool.RunCheckedAsync("xorriso", ["-indev", fixture.IsoPath, "-report_el_torito", "plain", "-report_system_area", "plain"], cancellationToken: ct);
        var lines = torito.StandardOutput.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("El Torito img path", StringComparison.Ordinal) && l.EndsWith(bootImage, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("El Torito cat path", StringComparison.Ordinal) && l.EndsWith(catalog, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("El Torito img opts", StringComparison.Ordinal) && l.Contains("boot-info-table", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("System area summary", StringComparison.Ordinal) && l.Contains("MBR isohybrid", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(FixtureLayout.New, "/boot/vmlinuz")]
    [InlineData(FixtureLayout.Old, "/boot/vmlinuz64")]
    public async Task The_iso_tree_holds_the_kernel_and_a_legacy_lzma_newc_initrd_owned_by_root(FixtureLayout layout, string kernel)
    {
        FixtureTools.RequireBuild();
        Requires.Tools("isoinfo");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(layout, ct: ct);

        var listing = await ExternalTool.RunCheckedAsync("isoinfo", ["-R", "-f", "-i", fixture.IsoPath], cancellationToken: ct);
        var files = listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(kernel, files);
        Assert.Contains("/boot/initrd.img", files);
        Assert.Equal(layout == FixtureLayout.Old, files.Contains("/version"));

        // boot2docker's initrd is `cpio -H newc | xz --format=lzma`: the legacy .lzma header starts 5D 00 00.
        var initrd = Path.Combine(fixture.IsoTreeDirectory, "boot", "initrd.img");
        var header = new byte[3];
        await using (var stream = File.OpenRead(initrd))
        {
            await stream.ReadExactlyAsync(header, ct);
        }

        Assert.Equal(new byte[] { 0x5D, 0x00, 0x00 }, header);
        var cpio = await ExternalTool.RunCheckedAsync("sh", ["-c", "xz -dc --format=lzma \"$1\" | cpio -t -v --quiet", "sh", initrd], cancellationToken: ct);
        var entries = cpio.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(entries, e => e.EndsWith(" init", StringComparison.Ordinal) && e.StartsWith("-rwxr-xr-x", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.EndsWith(" usr/local/bin/docker", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.EndsWith(" lib/ld-linux-x86-64.so.2", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Contains(" lib64 -> lib", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.EndsWith(" etc/ld.so.conf", StringComparison.Ordinal));
        Assert.All(entries, e => Assert.Matches(@"^\S+\s+\d+\s+root\s+root\s", e));
        Assert.Equal(layout == FixtureLayout.Old, entries.Any(e => e.EndsWith(" etc/version", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_cached_fixture_is_returned_without_rebuilding()
    {
        FixtureTools.RequireBuild();
        var ct = TestContext.Current.CancellationToken;
        var first = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var written = File.GetLastWriteTimeUtc(first.IsoPath);

        var again = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => FixtureIsos.GetAsync(FixtureLayout.New, new FixtureOptions(), ct)));

        Assert.All(again, fixture => Assert.Equal(first, fixture));
        Assert.Equal(written, File.GetLastWriteTimeUtc(first.IsoPath));
    }

    [Fact]
    public async Task Padding_adds_real_elf_files_from_debian_packages_within_its_budget()
    {
        FixtureTools.RequireBuild();
        Requires.Tool("file");
        var ct = TestContext.Current.CancellationToken;
        var plain = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);

        var padded = await FixtureIsos.GetAsync(FixtureLayout.New, new FixtureOptions { PaddingMegabytes = 2 }, ct);

        Assert.NotEqual(plain.IsoPath, padded.IsoPath);
        var files = Directory.GetFiles(Path.Combine(padded.RootfsDirectory, "opt", "b2ik-padding"), "*", SearchOption.AllDirectories);
        var total = files.Sum(f => new FileInfo(f).Length);
        Assert.InRange(total, 1 << 20, 2 << 20);
        foreach (var file in files)
        {
            var type = await ExternalTool.RunCheckedAsync("file", ["-b", file], cancellationToken: ct);
            Assert.StartsWith("ELF 64-bit", type.StandardOutput, StringComparison.Ordinal);
        }

        static long InitrdSize(FixtureIso f) => new FileInfo(Path.Combine(f.IsoTreeDirectory, "boot", "initrd.img")).Length;
        Assert.True(InitrdSize(padded) > InitrdSize(plain) + (total / 8), $"{InitrdSize(padded)} vs {InitrdSize(plain)}");
    }

    [Fact]
    public void Every_option_is_part_of_the_cache_key()
    {
        var keys = new[]
        {
            FixtureIsos.CacheKey(FixtureLayout.New, new FixtureOptions()),
            FixtureIsos.CacheKey(FixtureLayout.Old, new FixtureOptions()),
            FixtureIsos.CacheKey(FixtureLayout.New, new FixtureOptions { GlibcSuite = "bullseye" }),
            FixtureIsos.CacheKey(FixtureLayout.New, new FixtureOptions { Lib64Link = false }),
            FixtureIsos.CacheKey(FixtureLayout.New, new FixtureOptions { PaddingMegabytes = 1 }),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.All(keys, k => Assert.EndsWith($"-v{FixtureIsos.BuilderVersion}", k, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("")]
    [InlineData("Bookworm")]
    public async Task A_suite_that_is_not_a_debian_suite_name_is_refused(string suite)
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            FixtureIsos.GetAsync(FixtureLayout.New, new FixtureOptions { GlibcSuite = suite }, TestContext.Current.CancellationToken));
    }
}
