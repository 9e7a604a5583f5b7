using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Iso9660;

/// <summary>Images made by xorriso -as mkisofs (the way boot2docker is made), read and remastered by us.</summary>
public sealed class XorrisoImageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-xorriso-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<string> Mkisofs(List<TreeEntry> tree, string name, params string[] options)
    {
        var root = Path.Combine(_directory, name + "-tree");
        await IsoTestTree.Materialize(tree, root);
        var iso = Path.Combine(_directory, name + ".iso");
        await ExternalTool.RunCheckedAsync("xorriso", ["-as", "mkisofs", "-quiet", "-o", iso, "-V", "b2d-v24.0.7", "-A", "Boot2Docker", .. options, root], cancellationToken: TestContext.Current.CancellationToken);
        return iso;
    }

    private static readonly string[] BootOptions =
    [
        "-R", "-isohybrid-mbr", IsoTestTree.Isohdpfx, "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
        "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
    ];

    [Theory]
    [InlineData("-R")]
    [InlineData("-J")]
    public async Task Rock_ridge_and_joliet_images_read_with_the_right_tree_and_attributes(string option)
    {
        Requires.Tools("xorriso");
        var tree = IsoTestTree.Standard();
        string[] options = option == "-J" ? ["-R", "-J", "-joliet-long"] : ["-R"];
        var iso = await Mkisofs(tree, option.Trim('-'), options);

        using var image = IsoImage.Open(iso);

        Assert.True(image.HasRockRidge);
        Assert.Equal(option == "-J", image.HasJoliet);
        Assert.Equal("b2d-v24.0.7", image.VolumeId);
        Assert.Equal("BOOT2DOCKER", image.ApplicationId); // xorrisofs upper-cases -A into a-characters
        Assert.Null(image.ElTorito);
        IsoTestTree.AssertTree(image, tree);
        Assert.Equal(image.Root.Descendants().Count(n => n.IsDirectory), image.PathTableExtents.Count);
    }

    [Fact]
    public async Task The_signature_check_knows_an_xorriso_image_from_other_bytes_and_leaves_the_position()
    {
        Requires.Tools("xorriso");
        var iso = await Mkisofs(IsoTestTree.Standard(), "signature", "-R");
        var gzip = Path.Combine(_directory, "not-an-iso.gz");
        await ExternalTool.RunCheckedAsync("sh", ["-c", $"head -c 65536 /dev/urandom | gzip > '{gzip}'"], cancellationToken: TestContext.Current.CancellationToken);

        using var image = File.OpenRead(iso);
        image.Position = 123;
        using var other = File.OpenRead(gzip);
        using var empty = new MemoryStream();

        Assert.True(IsoSignature.IsIso9660(image));
        Assert.Equal(123, image.Position);
        Assert.True(await IsoSignature.IsIso9660Async(image, TestContext.Current.CancellationToken));
        Assert.False(IsoSignature.IsIso9660(other));
        Assert.False(await IsoSignature.IsIso9660Async(empty, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_plain_iso9660_image_without_rock_ridge_reads_with_iso_names()
    {
        Requires.Tools("xorriso");
        var tree = new List<TreeEntry>
        {
            new("boot", IsoNodeKind.Directory, 0x16D),
            new("boot/vmlinuz", IsoNodeKind.File, 0x124, Data: IsoTestTree.Bytes(5000, 1)),
        };
        var iso = await Mkisofs(tree, "plain", "--norock", "-iso-level", "1");

        using var image = IsoImage.Open(iso);

        Assert.False(image.HasRockRidge);
        Assert.Equal("VMLINUZ.;1", image.Find("BOOT/VMLINUZ")!.IsoName);
        Assert.Equal(5000, image.Find("/BOOT/VMLINUZ")!.Size);
    }

    [Fact]
    public async Task A_boot2docker_style_image_shows_el_torito_boot_info_table_and_hybrid_mbr()
    {
        Requires.Tools("xorriso");
        var iso = await Mkisofs(IsoTestTree.Bootable(), "boot", BootOptions);

        using var image = IsoImage.Open(iso);

        var boot = Assert.IsType<Boot2IsoKit.Formats.Iso9660.ElTorito.ElToritoBootInfo>(image.ElTorito);
        Assert.Equal("/isolinux/isolinux.bin", boot.BootImage!.Path);
        Assert.Equal("/isolinux/boot.cat", boot.CatalogPath);
        Assert.Equal((byte)0, boot.Platform);
        Assert.Equal((ushort)4, boot.LoadSize);
        Assert.True(boot.Bootable);
        Assert.Equal(boot.BootImage.Extents[0].Lba, boot.LoadRba);
        var table = Assert.IsType<Boot2IsoKit.Formats.Iso9660.ElTorito.BootInfoTable>(image.BootInfoTable);
        Assert.True(table.Verifies);
        Assert.Equal(boot.LoadRba, table.FileLba);
        Assert.True(image.SystemArea.IsHybrid);
        Assert.Equal(boot.LoadRba * 4UL, image.SystemArea.BootLba512);
        Assert.Equal((byte)0x17, image.SystemArea.Partition1!.Type);
        Assert.Equal((uint)(new FileInfo(iso).Length / 512), image.SystemArea.Partition1.SectorCount);
    }

    [Fact]
    public async Task A_remastered_image_keeps_the_boot_setup_that_xorriso_reports_and_agrees_with_xorriso_bytes()
    {
        Requires.Tools("xorriso");
        var tree = IsoTestTree.Bootable();
        var original = await Mkisofs(tree, "base", BootOptions);
        var remastered = Path.Combine(_directory, "remastered.iso");

        using (var image = IsoImage.Open(original))
        {
            var builder = Boot2IsoKit.Formats.Iso9660.Building.IsoBuilder.FromImage(image);
            builder.VolumeId = "b2d-v99.0.0-custom";
            builder.AddFile("etc/motd", Boot2IsoKit.Plumbing.IO.BytesContent.FromText("custom\n", "motd"));
            builder.Remove("many");
            builder.BuildToFile(remastered, cancellationToken: TestContext.Current.CancellationToken);
        }

        var report = await ReferenceReaders.XorrisoReport(remastered);
        Assert.Contains("El Torito img path :   1  /isolinux/isolinux.bin", report, StringComparison.Ordinal);
        Assert.Contains("El Torito cat path : /isolinux/boot.cat", report, StringComparison.Ordinal);
        Assert.Contains("boot-info-table isohybrid-suitable", report, StringComparison.Ordinal);
        Assert.Contains("System area summary: MBR isohybrid cyl-align-on", report, StringComparison.Ordinal);

        using var ours = IsoImage.Open(remastered);
        using var theirs = IsoImage.Open(original);
        Assert.Equal("b2d-v99.0.0-custom", ours.VolumeId);
        Assert.Equal("custom\n", new StreamReader(ours.OpenFile(ours.Find("etc/motd")!)).ReadToEnd());
        IsoTestTree.AssertTree(ours, tree.Where(e => !e.Path.StartsWith("many", StringComparison.Ordinal)), ignore: ["/isolinux/boot.cat", "/etc", "/etc/motd"]);

        // Boot-info-table: same checksum and length as xorriso computed for the same isolinux.bin; only bi_file moves.
        Assert.True(ours.BootInfoTable!.Verifies);
        Assert.Equal(theirs.BootInfoTable!.Checksum, ours.BootInfoTable.Checksum);
        Assert.Equal(theirs.BootInfoTable.FileLength, ours.BootInfoTable.FileLength);
        var ourHead = Head(ours);
        var theirHead = Head(theirs);
        BitConverter.GetBytes(ours.ElTorito!.LoadRba).CopyTo(theirHead, 12);
        Assert.Equal(theirHead[8..64], ourHead[8..64]);

        // MBR: same code bytes, boot LBA = isolinux.bin LBA × 4, one 0x17 partition over the whole padded image.
        Assert.Equal(theirs.SystemArea.Bytes[..432].ToArray(), ours.SystemArea.Bytes[..432].ToArray());
        Assert.Equal(ours.ElTorito.LoadRba * 4UL, ours.SystemArea.BootLba512);
        var partition = ours.SystemArea.Partition1!;
        Assert.Equal(theirs.SystemArea.Partition1!.Type, partition.Type);
        Assert.Equal((byte)0x80, partition.Status);
        Assert.Equal(0u, partition.StartLba);
        Assert.Equal((uint)(new FileInfo(remastered).Length / 512), partition.SectorCount);
        Assert.Equal(theirs.SystemArea.Partition1.StartChs, partition.StartChs);
        Assert.Equal(0, new FileInfo(remastered).Length % (1 << 20));
    }

    [Fact]
    public async Task Our_boot_info_table_equals_the_one_xorriso_writes_for_the_same_isolinux_bin()
    {
        Requires.Tools("xorriso");
        var tree = IsoTestTree.Bootable();
        var theirs = await Mkisofs(tree, "ref", BootOptions);
        var builder = IsoTestTree.Builder(tree, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        builder.ElToritoBoot = new Boot2IsoKit.Formats.Iso9660.Building.ElToritoBootOptions("isolinux/isolinux.bin");
        builder.SystemAreaTemplate = File.ReadAllBytes(IsoTestTree.Isohdpfx);
        var ours = Path.Combine(_directory, "ours.iso");
        builder.BuildToFile(ours, cancellationToken: TestContext.Current.CancellationToken);

        using var ourImage = IsoImage.Open(ours);
        using var theirImage = IsoImage.Open(theirs);
        var ourHead = Head(ourImage);
        var theirHead = Head(theirImage);
        BitConverter.GetBytes(ourImage.ElTorito!.LoadRba).CopyTo(theirHead, 12);

        Assert.Equal(theirHead[8..64], ourHead[8..64]);
        Assert.Equal(theirImage.SystemArea.Partition1!.Type, ourImage.SystemArea.Partition1!.Type);
        Assert.Equal(theirImage.SystemArea.Bytes[..432].ToArray(), ourImage.SystemArea.Bytes[..432].ToArray());
    }

    private static byte[] Head(IsoImage image)
    {
        using var stream = image.OpenFile(image.ElTorito!.BootImage!);
        var head = new byte[64];
        stream.ReadExactly(head);
        return head;
    }
}
