using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Initramfs;

public class InitrdReaderTests
{
    /// <summary>
    /// Five members, each made by the real tools and each redefining etc/motd, joined with zero padding the
    /// way syslinux and the kernel allow: plain cpio, legacy lzma, xz/crc32, gzip, zstd.
    /// </summary>
    internal static async Task<string> MakeMultiMemberInitrd(Scratch scratch)
    {
        Requires.Tools("cpio", "xz", "gzip", "zstd");
        await scratch.Sh(
            "for m in plain lzma xz gz zst; do mkdir -p $m/etc $m/lib/$m; printf \"motd from $m\\n\" > $m/etc/motd; cp /bin/true $m/lib/$m/libdemo-$m.so.1; "
            + "(cd $m && find . | sort | cpio -o -H newc --quiet) > $m.cpio; done; "
            + "printf 'NAME=Boot2Docker\\nVERSION=19.03.12\\nID=boot2docker\\n' > lzma/etc/os-release; (cd lzma && find . | sort | cpio -o -H newc --quiet) > lzma.cpio; "
            + "mkdir -p lzma/lib && touch lzma/lib/libc-2.28.so; (cd lzma && find . | sort | cpio -o -H newc --quiet) > lzma.cpio; "
            + "xz --format=lzma -9 -c lzma.cpio > m1; xz --check=crc32 -c xz.cpio > m2; gzip -9 -n -c gz.cpio > m3; zstd -q -19 -c zst.cpio > m4; "
            + "{ cat plain.cpio; cat m1; head -c 3 /dev/zero; cat m2; head -c 512 /dev/zero; cat m3; cat m4; head -c 4 /dev/zero; } > initrd.img");
        return scratch["initrd.img"];
    }

    [Fact]
    public async Task A_multi_member_initrd_lists_each_member_with_its_compression_and_exact_bounds()
    {
        using var scratch = new Scratch();
        var path = await MakeMultiMemberInitrd(scratch);
        using var initrd = File.OpenRead(path);

        var members = new InitrdReader(initrd, "initrd.img").ListMembers();

        Assert.Equal(
            [InitrdCompression.None, InitrdCompression.Lzma, InitrdCompression.Xz, InitrdCompression.Gzip, InitrdCompression.Zstd],
            members.Select(m => m.Compression));
        long Size(string name) => new FileInfo(scratch[name]).Length;
        var plain = Size("plain.cpio");
        long[] expectedOffsets = [0, plain, plain + Size("m1") + 3, plain + Size("m1") + 3 + Size("m2") + 512, plain + Size("m1") + 3 + Size("m2") + 512 + Size("m3")];
        Assert.Equal(expectedOffsets, members.Select(m => m.Offset));
        Assert.Equal([Size("m1"), Size("m2"), Size("m3"), Size("m4")], members.Skip(1).Select(m => m.CompressedLength));
        Assert.Equal([Size("lzma.cpio"), Size("xz.cpio"), Size("gz.cpio"), Size("zst.cpio")], members.Skip(1).Select(m => m.UncompressedLength));

        // GNU cpio pads to 512-byte blocks after the trailer; like the kernel, the plain member ends at its trailer
        // and the zeros after it are padding between members.
        var plainBytes = await File.ReadAllBytesAsync(scratch["plain.cpio"], TestContext.Current.CancellationToken);
        Assert.Equal(members[0].CompressedLength, members[0].UncompressedLength);
        Assert.Equal("TRAILER!!!", System.Text.Encoding.ASCII.GetString(plainBytes, (int)members[0].CompressedLength - 124 + 110, 10));
        Assert.All(plainBytes[(int)members[0].CompressedLength..], b => Assert.Equal(0, b));
        var counts = await scratch.Sh("for m in plain lzma xz gz zst; do cpio -it --quiet < $m.cpio | grep -c . ; done");
        Assert.Equal(counts.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse), members.Select(m => m.EntryCount));
    }

    [Fact]
    public async Task Contents_keep_the_last_definition_of_a_path_and_describe_the_base()
    {
        using var scratch = new Scratch();
        var path = await MakeMultiMemberInitrd(scratch);
        using var initrd = File.OpenRead(path);

        var contents = new InitrdReader(initrd, "initrd.img").ReadContents();

        Assert.Equal("motd from zst\n", contents.ReadAllText("/etc/motd"));
        Assert.Equal(4, contents.Find("etc/motd")!.MemberIndex);
        Assert.Equal("boot2docker", contents.OsRelease["ID"]);
        Assert.Equal("19.03.12", contents.OsRelease["VERSION"]);
        Assert.Equal("2.28", contents.GlibcVersion);
        Assert.False(contents.HasLib64);
        Assert.Contains("lib/xz/libdemo-xz.so.1", contents.Libraries);
        Assert.Contains("lib/zst/libdemo-zst.so.1", contents.Libraries);
        Assert.Null(contents.Version);
        Assert.Equal(contents.Entries.Count, contents.Entries.Select(e => e.Path).Distinct().Count());
    }
}
