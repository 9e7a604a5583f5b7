using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.Iso9660.Building;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Iso9660;

/// <summary>Images written by our builder, read back by our reader and by xorriso, isoinfo, 7z and bsdtar.</summary>
public sealed class IsoRoundTripTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-iso-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string BuildBootable(bool joliet, out List<TreeEntry> tree)
    {
        tree = IsoTestTree.Bootable();
        var builder = IsoTestTree.Builder(tree, Time);
        builder.UseJoliet = joliet;
        builder.ElToritoBoot = new ElToritoBootOptions("isolinux/isolinux.bin");
        builder.SystemAreaTemplate = File.ReadAllBytes(IsoTestTree.Isohdpfx);
        var iso = Path.Combine(_directory, joliet ? "joliet.iso" : "plain.iso");
        builder.BuildToFile(iso);
        return iso;
    }

    [Fact]
    public void Our_reader_sees_the_tree_we_wrote()
    {
        var iso = BuildBootable(joliet: false, out var tree);

        using var image = IsoImage.Open(iso);

        Assert.True(image.HasRockRidge);
        Assert.False(image.HasJoliet);
        Assert.Equal("b2d-v24.0.7-test", image.VolumeId);
        Assert.Equal(Time, image.CreationTime);
        IsoTestTree.AssertTree(image, tree, ignore: "/isolinux/boot.cat");
        Assert.Equal(0, new FileInfo(iso).Length % (1 << 20));
        Assert.Equal(new FileInfo(iso).Length / 2048, image.VolumeSpaceSize);
        Assert.Equal(Time, image.Find("boot/vmlinuz")!.ModificationTime);
    }

    [Fact]
    public async Task Xorriso_lists_the_same_files_modes_owners_and_links_without_complaint()
    {
        Requires.Tools("xorriso");
        var iso = BuildBootable(joliet: false, out var tree);

        var listed = await ReferenceReaders.Xorriso(iso);

        Assert.Equal(tree.Select(e => e.Path).Append("isolinux/boot.cat").Order(StringComparer.Ordinal), listed.Keys.Order(StringComparer.Ordinal));
        foreach (var e in tree)
        {
            var entry = listed[e.Path];
            Assert.Equal(ReferenceReaders.ModeString(e.Mode), entry.Permissions);
            Assert.Equal((e.Uid, e.Gid), ((uint)entry.Uid, (uint)entry.Gid));
            Assert.Equal(e.Kind switch { IsoNodeKind.Directory => 'd', IsoNodeKind.Symlink => 'l', _ => '-' }, entry.Type);
            if (e.Kind == IsoNodeKind.File)
            {
                Assert.Equal(e.Data!.Length, entry.Size);
            }

            Assert.Equal(e.Target, entry.Target);
        }

        var report = await ReferenceReaders.XorrisoReport(iso);
        Assert.Contains("El Torito boot img :   1  BIOS  y   none  0x0000  0x00      4", report, StringComparison.Ordinal);
        Assert.Contains("El Torito img path :   1  /isolinux/isolinux.bin", report, StringComparison.Ordinal);
        Assert.Contains("El Torito cat path : /isolinux/boot.cat", report, StringComparison.Ordinal);
        Assert.Contains("boot-info-table isohybrid-suitable", report, StringComparison.Ordinal);
        Assert.Contains("MBR partition      :   1   0x80  0x17            0", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Isoinfo_and_bsdtar_list_the_same_names_sizes_modes_and_links()
    {
        Requires.Tools("isoinfo", "bsdtar");
        var iso = BuildBootable(joliet: false, out var tree);

        var description = await ReferenceReaders.IsoinfoDescription(iso);
        Assert.Contains("Rock Ridge signatures version 1 found", description, StringComparison.Ordinal);
        Assert.Contains("Volume id: b2d-v24.0.7-test", description, StringComparison.Ordinal);
        Assert.Contains("Bootoff", description, StringComparison.Ordinal);
        foreach (var listed in new[] { await ReferenceReaders.Isoinfo(iso), await ReferenceReaders.Bsdtar(iso) })
        {
            Assert.Equal(tree.Select(e => e.Path).Append("isolinux/boot.cat").Order(StringComparer.Ordinal), listed.Keys.Order(StringComparer.Ordinal));
            foreach (var e in tree)
            {
                var entry = listed[e.Path];
                Assert.Equal(ReferenceReaders.ModeString(e.Mode), entry.Permissions);
                Assert.Equal((e.Uid, e.Gid), ((uint)entry.Uid, (uint)entry.Gid));
                if (e.Kind == IsoNodeKind.File)
                {
                    Assert.Equal(e.Data!.Length, entry.Size);
                }

                if (e.Kind == IsoNodeKind.Symlink)
                {
                    Assert.Equal(e.Target, entry.Target);
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bsdtar_and_7z_extract_the_same_bytes(bool joliet)
    {
        Requires.Tools("bsdtar", "7z");
        var iso = BuildBootable(joliet, out var tree);

        var sevenZipList = await ReferenceReaders.SevenZip(iso);
        var byBsdtar = Directory.CreateDirectory(Path.Combine(_directory, "bsdtar")).FullName;
        var by7z = Path.Combine(_directory, "7z");
        await ExternalTool.RunCheckedAsync("bsdtar", ["-xf", iso, "-C", byBsdtar], cancellationToken: TestContext.Current.CancellationToken);
        await ExternalTool.RunCheckedAsync("7z", ["x", "-y", "-snld", $"-o{by7z}", iso], cancellationToken: TestContext.Current.CancellationToken);

        // 7z prefers the Joliet tree when there is one, where names are cut at 64 characters; and it does not
        // follow Rock Ridge continuation areas, so it shows only the in-record part of a 200-character name
        // (it does the same on xorriso's images). bsdtar reads everything.
        var sevenZipLimit = joliet ? 64 : 100;
        foreach (var e in tree.Where(e => e.Kind == IsoNodeKind.File))
        {
            Assert.True(IsoTestTree.SameContent(e.Path, e.Data!, await File.ReadAllBytesAsync(Path.Combine(byBsdtar, e.Path), TestContext.Current.CancellationToken)), $"bsdtar: {e.Path}");
            if (e.Path.Split('/').Any(s => s.Length > sevenZipLimit))
            {
                continue;
            }

            Assert.Equal(e.Data!.Length, sevenZipList[e.Path].Size);
            Assert.True(IsoTestTree.SameContent(e.Path, e.Data, await File.ReadAllBytesAsync(Path.Combine(by7z, e.Path), TestContext.Current.CancellationToken)), $"7z: {e.Path}");
        }
    }

    [Fact]
    public async Task Joliet_tree_carries_the_long_names_for_readers_without_rock_ridge()
    {
        Requires.Tools("isoinfo", "xorriso");
        var iso = BuildBootable(joliet: true, out var tree);

        using (var image = IsoImage.Open(iso))
        {
            Assert.True(image.HasJoliet);
            IsoTestTree.AssertTree(image, tree, ignore: "/isolinux/boot.cat");
        }

        var joliet = await ReferenceReaders.Isoinfo(iso, "-J");
        foreach (var e in tree.Where(e => e.Kind == IsoNodeKind.File && e.Path.Split('/').All(s => s.Length <= 64)))
        {
            Assert.Equal(e.Data!.Length, joliet[e.Path].Size);
        }

        await ReferenceReaders.XorrisoReport(iso);
    }

    [Fact]
    public void The_same_inputs_give_a_bit_identical_image()
    {
        var first = BuildBootable(joliet: true, out _);
        var bytes = File.ReadAllBytes(first);
        var second = BuildBootable(joliet: true, out _);

        Assert.Equal(bytes, File.ReadAllBytes(second));
    }

    [Fact]
    public void Remastering_an_image_unchanged_twice_gives_identical_images_with_the_same_tree_and_boot_setup()
    {
        var original = BuildBootable(joliet: false, out var tree);
        var first = Path.Combine(_directory, "remaster-1.iso");
        var second = Path.Combine(_directory, "remaster-2.iso");
        var reports = new List<IsoBuildProgress>();

        using (var image = IsoImage.Open(original))
        {
            IsoBuilder.FromImage(image).BuildToFile(first, new SynchronousProgress(reports.Add), TestContext.Current.CancellationToken);
            IsoBuilder.FromImage(image).BuildToFile(second, cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal(new FileInfo(first).Length, reports[^1].BytesWritten);
        Assert.Equal(reports[^1].TotalBytes, reports[^1].BytesWritten);
        using var rebuilt = IsoImage.Open(first);
        IsoTestTree.AssertTree(rebuilt, tree, ignore: "/isolinux/boot.cat");
        Assert.Equal("/isolinux/isolinux.bin", rebuilt.ElTorito!.BootImage!.Path);
        Assert.Equal("/isolinux/boot.cat", rebuilt.ElTorito.CatalogPath);
        Assert.True(rebuilt.BootInfoTable!.Verifies);
        Assert.True(rebuilt.SystemArea.IsHybrid);
        Assert.Equal(rebuilt.ElTorito.LoadRba * 4UL, rebuilt.SystemArea.BootLba512);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests want the reports in order, at once.</summary>
    private sealed class SynchronousProgress(Action<IsoBuildProgress> report) : IProgress<IsoBuildProgress>
    {
        public void Report(IsoBuildProgress value) => report(value);
    }

    [Fact]
    public void A_volume_id_over_32_bytes_or_not_printable_ascii_is_refused_with_the_reason()
    {
        var builder = new IsoBuilder { Timestamp = Time };

        var tooLong = Assert.Throws<ArgumentException>(() => builder.VolumeId = new string('v', 33));
        var notAscii = Assert.Throws<ArgumentException>(() => builder.VolumeId = "b2d-vé");
        builder.VolumeId = new string('v', 32);

        Assert.Contains("0x8028", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("printable ASCII", notAscii.Message, StringComparison.Ordinal);
        Assert.Equal(32, builder.VolumeId.Length);
    }

    [Fact]
    public void Content_shorter_than_announced_fails_the_build_and_leaves_no_file()
    {
        var builder = new IsoBuilder { Timestamp = Time };
        builder.AddFile("liar", new Boot2IsoKit.Plumbing.IO.DelegateContent(5000, "liar", () => new MemoryStream(new byte[10])));
        var iso = Path.Combine(_directory, "liar.iso");

        var error = Assert.Throws<Boot2IsoKit.Plumbing.Errors.Boot2IsoKitException>(() => builder.BuildToFile(iso, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("liar", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
