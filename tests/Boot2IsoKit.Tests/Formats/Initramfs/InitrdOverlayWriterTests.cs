using System.Text;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Initramfs;

public class InitrdOverlayWriterTests
{
    private static RootfsOverlay Overlay()
    {
        var overlay = new RootfsOverlay();
        overlay.Add(RootfsEntry.File("etc/motd", BytesContent.FromText("EXPERIMENTAL\n", "banner")));
        overlay.Add(RootfsEntry.File("usr/local/bin/docker", new FileContent("/bin/true"), 0x1ED) with { ModificationTime = 1_600_000_000 });
        overlay.Add(RootfsEntry.Symlink("usr/local/bin/docker-alias", "docker"));
        overlay.Add(RootfsEntry.File("tmp/note", BytesContent.FromText("n", "note")));
        overlay.Add(RootfsEntry.File("lib64/ld-demo.so", BytesContent.FromText("elf?", "ld")));
        return overlay;
    }

    /// <summary>A boot2docker-like base: one legacy-lzma member with etc/motd, made by the real tools.</summary>
    private static async Task<string> MakeBase(Scratch scratch, string compress)
    {
        Requires.Tools("cpio", "xz", "gzip", "zstd");
        await scratch.Sh(
            "mkdir -p base/etc base/usr/local/bin base/bin && printf 'base motd\\n' > base/etc/motd && printf 'ID=boot2docker\\n' > base/etc/os-release && "
            + "cp /bin/ls base/bin/ls && ln base/bin/ls base/bin/dir && ln -s ls base/bin/vdir && "
            + "mkdir -m 1777 base/tmp && mkdir base/lib && ln -s lib base/lib64 && "
            + $"(cd base && find . | sort | cpio -o -H newc --quiet) > base.cpio && {compress} < base.cpio > base.img");
        return scratch["base.img"];
    }

    [Fact]
    public async Task Append_copies_the_base_untouched_and_adds_an_aligned_deterministic_gzip_member()
    {
        using var scratch = new Scratch();
        var basePath = await MakeBase(scratch, "xz --format=lzma -9 -c");
        var baseBytes = await File.ReadAllBytesAsync(basePath, TestContext.Current.CancellationToken);

        var first = await Run(basePath, InitrdOverlayMode.Append);
        var second = await Run(basePath, InitrdOverlayMode.Append);

        Assert.Equal(first.Bytes, second.Bytes);
        Assert.Equal(baseBytes, first.Bytes[..baseBytes.Length]);
        var gzipStart = (baseBytes.Length + 3) & ~3;
        Assert.All(first.Bytes[baseBytes.Length..gzipStart], b => Assert.Equal(0, b));
        Assert.Equal(new byte[] { 0x1F, 0x8B, 8 }, first.Bytes[gzipStart..(gzipStart + 3)]);
        Assert.Equal(0, first.Bytes[gzipStart + 3] & 0x08); // no file name
        Assert.Equal(new byte[4], first.Bytes[(gzipStart + 4)..(gzipStart + 8)]); // mtime 0
        Assert.Equal(InitrdOverlayMode.Append, first.Result.Mode);
        Assert.Equal(baseBytes.Length, first.Result.BaseLength);
        Assert.Equal(first.Bytes.Length, first.Result.OutputLength);

        await File.WriteAllBytesAsync(scratch["overlay.gz"], first.Bytes[gzipStart..], TestContext.Current.CancellationToken);
        var listing = await scratch.Sh("gzip -dc overlay.gz | cpio -it --quiet");
        // No lib64 entry: the base has lib64 -> lib, which a directory entry would replace.
        Assert.Equal(["etc", "etc/motd", "lib64/ld-demo.so", "tmp", "tmp/note", "usr", "usr/local", "usr/local/bin", "usr/local/bin/docker", "usr/local/bin/docker-alias"], listing.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await File.WriteAllBytesAsync(scratch["appended.img"], first.Bytes, TestContext.Current.CancellationToken);
        using var appended = File.OpenRead(scratch["appended.img"]);
        var contents = new InitrdReader(appended, "appended.img").ReadContents();
        Assert.Equal([InitrdCompression.Lzma, InitrdCompression.Gzip], contents.Members.Select(m => m.Compression));
        Assert.Equal("EXPERIMENTAL\n", contents.ReadAllText("etc/motd"));
        Assert.Equal("ID=boot2docker\n", contents.ReadAllText("etc/os-release"));
        var ls = await File.ReadAllBytesAsync("/bin/ls", TestContext.Current.CancellationToken);
        Assert.Equal(ls, new InitrdReader(File.OpenRead(scratch["appended.img"]), "appended.img").ReadContents(_ => true).ReadAllBytes("bin/dir")); // a hard link listed before its data
        Assert.Equal(0x3FF, contents.Find("tmp")!.Header.Permissions); // still 1777: the implied parent copies the base
        Assert.Equal(RootfsEntryKind.Symlink, contents.Find("lib64")!.Header.Kind);
    }

    [Fact]
    public async Task Merge_keeps_the_data_of_hard_links_when_the_overlay_replaces_the_name_that_carried_it()
    {
        using var scratch = new Scratch();
        var basePath = await MakeBase(scratch, "gzip -n -c");
        var overlay = new RootfsOverlay();
        overlay.Add(RootfsEntry.File("bin/ls", BytesContent.FromText("replaced\n", "new ls"), 0x1ED)); // GNU cpio put the data on bin/ls, after bin/dir
        using var input = File.OpenRead(basePath);
        using (var output = File.Create(scratch["merged.img"]))
        {
            await InitrdOverlayWriter.WriteAsync(input, overlay, InitrdOverlayMode.Merge, output, cancellationToken: TestContext.Current.CancellationToken);
        }

        await scratch.Sh("mkdir out && cd out && gzip -dc < ../merged.img | cpio -idm --quiet");
        Assert.Equal("replaced\n", await File.ReadAllTextAsync(scratch["out/bin/ls"], TestContext.Current.CancellationToken));
        Assert.Equal(await File.ReadAllBytesAsync("/bin/ls", TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(scratch["out/bin/dir"], TestContext.Current.CancellationToken));
        var contents = new InitrdReader(File.OpenRead(scratch["merged.img"]), "merged.img").ReadContents(_ => true);
        Assert.Equal(new FileInfo("/bin/ls").Length, contents.Find("bin/dir")!.Header.FileSize);
    }

    [Theory]
    [InlineData("xz --format=lzma -9 -c", InitrdCompression.Xz, "xz -dc", InitrdCompression.Xz, true)]
    [InlineData("xz --format=lzma -9 -c", InitrdCompression.Lzma, "xz --format=lzma -dc", InitrdCompression.Lzma, false)]
    [InlineData("gzip -9 -n -c", InitrdCompression.Xz, "gzip -dc", InitrdCompression.Gzip, false)]
    [InlineData("zstd -q -c", InitrdCompression.Xz, "zstd -q -dc", InitrdCompression.Zstd, false)]
    [InlineData("xz --check=crc32 -c", InitrdCompression.Xz, "xz -dc", InitrdCompression.Xz, false)]
    [InlineData("xz --check=crc32 -c", InitrdCompression.Lzma, "xz --format=lzma -dc", InitrdCompression.Lzma, true)]
    [InlineData("cat", InitrdCompression.Xz, "cat", InitrdCompression.None, false)]
    public async Task Merge_rewrites_the_base_with_the_overlay_in_one_member_the_real_tools_read(string compress, InitrdCompression asked, string decompress, InitrdCompression expected, bool noted)
    {
        using var scratch = new Scratch();
        var basePath = await MakeBase(scratch, compress);

        var merged = await Run(basePath, InitrdOverlayMode.Merge, asked);

        Assert.Equal(expected, merged.Result.OutputCompression);
        Assert.Equal(1, merged.Result.EntriesReplaced);
        Assert.Equal(4, merged.Result.EntriesAdded); // the base has usr/local/bin, tmp and lib64 -> lib: docker, docker-alias, tmp/note, lib64/ld-demo.so are new
        Assert.Equal(noted, merged.Result.Notes.Count > 0);
        await File.WriteAllBytesAsync(scratch["merged.img"], merged.Bytes, TestContext.Current.CancellationToken);
        await scratch.Sh($"mkdir out && {decompress} < merged.img > merged.cpio && cd out && cpio -idm --quiet < ../merged.cpio");
        Assert.Equal("EXPERIMENTAL\n", await File.ReadAllTextAsync(scratch["out/etc/motd"], TestContext.Current.CancellationToken));
        Assert.Equal("ID=boot2docker\n", await File.ReadAllTextAsync(scratch["out/etc/os-release"], TestContext.Current.CancellationToken));
        Assert.Equal(await File.ReadAllBytesAsync("/bin/ls", TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(scratch["out/bin/dir"], TestContext.Current.CancellationToken));
        Assert.Equal((await scratch.Sh("stat -c %i out/bin/ls")).Trim(), (await scratch.Sh("stat -c %i out/bin/dir")).Trim());
        Assert.Equal("ls", (await scratch.Sh("readlink out/bin/vdir")).Trim());
        Assert.Equal("755 1600000000", (await scratch.Sh("stat -c '%a %Y' out/usr/local/bin/docker")).Trim());
        Assert.Equal("docker", (await scratch.Sh("readlink out/usr/local/bin/docker-alias")).Trim());
        Assert.Equal("1777", (await scratch.Sh("stat -c %a out/tmp")).Trim());
        Assert.Equal("lib", (await scratch.Sh("readlink out/lib64")).Trim());
        Assert.Equal("elf?", await File.ReadAllTextAsync(scratch["out/lib/ld-demo.so"], TestContext.Current.CancellationToken));
        var names = (await scratch.Sh("cpio -it --quiet < merged.cpio")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(names, n => n == "etc/motd");
        Assert.True(Array.IndexOf(names, "usr/local/bin") < Array.IndexOf(names, "usr/local/bin/docker"));
    }

    [Fact]
    public async Task Append_and_merge_of_a_multi_member_base_leave_the_kernel_the_same_files()
    {
        using var scratch = new Scratch();
        var basePath = await InitrdReaderTests.MakeMultiMemberInitrd(scratch);

        var appended = await Run(basePath, InitrdOverlayMode.Append);
        var merged = await Run(basePath, InitrdOverlayMode.Merge);

        static InitrdContents Read(byte[] bytes) => new InitrdReader(new MemoryStream(bytes), "initrd").ReadContents(_ => true);
        var a = Read(appended.Bytes);
        var m = Read(merged.Bytes);
        Assert.Equal(6, a.Members.Count);
        Assert.Single(m.Members);
        Assert.Equal(a.Entries.Select(e => e.Path).Order(StringComparer.Ordinal), m.Entries.Select(e => e.Path).Order(StringComparer.Ordinal));
        foreach (var entry in a.Entries)
        {
            var other = m.Find(entry.Path)!;
            Assert.Equal((entry.Header.Mode, entry.Header.Uid, entry.Header.ModificationTime, entry.SymlinkTarget), (other.Header.Mode, other.Header.Uid, other.Header.ModificationTime, other.SymlinkTarget));
            Assert.Equal(entry.Data, other.Data);
        }

        Assert.Equal("EXPERIMENTAL\n", m.ReadAllText("etc/motd"));

        // The base's first member is a plain archive, so the merge is one too; in it every non-directory path
        // (etc/motd was in all five members) appears once. Directories may repeat: re-applying them is harmless.
        Assert.Equal(InitrdCompression.None, merged.Result.OutputCompression);
        var names = new List<string>();
        using (var reader = new CpioReader(new MemoryStream(merged.Bytes), "merged"))
        {
            while (reader.MoveNext())
            {
                if (reader.Current!.Kind != RootfsEntryKind.Directory)
                {
                    names.Add(reader.Current.Name);
                }
            }
        }

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains("etc/motd", names);
    }

    private static async Task<(byte[] Bytes, InitrdOverlayResult Result)> Run(string basePath, InitrdOverlayMode mode, InitrdCompression mergeCompression = InitrdCompression.Xz)
    {
        using var input = File.OpenRead(basePath);
        using var output = new MemoryStream();
        var result = await InitrdOverlayWriter.WriteAsync(input, Overlay(), mode, output, mergeCompression: mergeCompression, cancellationToken: TestContext.Current.CancellationToken);
        return (output.ToArray(), result);
    }

    internal static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
