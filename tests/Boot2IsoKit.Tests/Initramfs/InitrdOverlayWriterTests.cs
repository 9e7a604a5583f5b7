using System.Text;
using Boot2IsoKit.Content;
using Boot2IsoKit.Initramfs;
using Boot2IsoKit.Rootfs;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Initramfs;

public class InitrdOverlayWriterTests
{
    private static RootfsOverlay Overlay()
    {
        var overlay = new RootfsOverlay();
        overlay.Add(RootfsEntry.File("etc/motd", BytesContent.FromText("EXPERIMENTAL\n", "banner")));
        overlay.Add(RootfsEntry.File("usr/local/bin/docker", new FileContent("/bin/true"), 0x1ED) with { ModificationTime = 1_600_000_000 });
        overlay.Add(RootfsEntry.Symlink("usr/local/bin/docker-alias", "docker"));
        return overlay;
    }

    /// <summary>A boot2docker-like base: one legacy-lzma member with etc/motd, made by the real tools.</summary>
    private static async Task<string> MakeBase(Scratch scratch, string compress)
    {
        Requires.Tools("cpio", "xz", "gzip", "zstd");
        await scratch.Sh(
            "mkdir -p base/etc base/usr/local/bin base/bin && printf 'base motd\\n' > base/etc/motd && printf 'ID=boot2docker\\n' > base/etc/os-release && "
            + "cp /bin/ls base/bin/ls && ln base/bin/ls base/bin/dir && ln -s ls base/bin/vdir && "
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
        Assert.Equal(["etc", "etc/motd", "usr", "usr/local", "usr/local/bin", "usr/local/bin/docker", "usr/local/bin/docker-alias"], listing.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await File.WriteAllBytesAsync(scratch["appended.img"], first.Bytes, TestContext.Current.CancellationToken);
        using var appended = File.OpenRead(scratch["appended.img"]);
        var contents = new InitrdReader(appended, "appended.img").ReadContents();
        Assert.Equal([InitrdCompression.Lzma, InitrdCompression.Gzip], contents.Members.Select(m => m.Compression));
        Assert.Equal("EXPERIMENTAL\n", contents.ReadAllText("etc/motd"));
        Assert.Equal("ID=boot2docker\n", contents.ReadAllText("etc/os-release"));
    }

    [Theory]
    [InlineData("xz --format=lzma -9 -c", "xz --format=lzma -dc", InitrdCompression.Lzma)]
    [InlineData("gzip -9 -n -c", "gzip -dc", InitrdCompression.Gzip)]
    [InlineData("zstd -q -c", "zstd -q -dc", InitrdCompression.Zstd)]
    [InlineData("xz --check=crc32 -c", "gzip -dc", InitrdCompression.Gzip)]
    [InlineData("cat", "cat", InitrdCompression.None)]
    public async Task Merge_rewrites_the_base_with_the_overlay_in_one_member_the_real_tools_read(string compress, string decompress, InitrdCompression expected)
    {
        using var scratch = new Scratch();
        var basePath = await MakeBase(scratch, compress);

        var merged = await Run(basePath, InitrdOverlayMode.Merge);

        Assert.Equal(expected, merged.Result.OutputCompression);
        Assert.Equal(1, merged.Result.EntriesReplaced);
        Assert.Equal(2, merged.Result.EntriesAdded); // the base has usr/local/bin, so only docker and docker-alias are new
        Assert.Equal(compress.StartsWith("xz --check", StringComparison.Ordinal), merged.Result.Notes.Count > 0);
        await File.WriteAllBytesAsync(scratch["merged.img"], merged.Bytes, TestContext.Current.CancellationToken);
        await scratch.Sh($"mkdir out && {decompress} < merged.img > merged.cpio && cd out && cpio -idm --quiet < ../merged.cpio");
        Assert.Equal("EXPERIMENTAL\n", await File.ReadAllTextAsync(scratch["out/etc/motd"], TestContext.Current.CancellationToken));
        Assert.Equal("ID=boot2docker\n", await File.ReadAllTextAsync(scratch["out/etc/os-release"], TestContext.Current.CancellationToken));
        Assert.Equal(await File.ReadAllBytesAsync("/bin/ls", TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(scratch["out/bin/dir"], TestContext.Current.CancellationToken));
        Assert.Equal((await scratch.Sh("stat -c %i out/bin/ls")).Trim(), (await scratch.Sh("stat -c %i out/bin/dir")).Trim());
        Assert.Equal("ls", (await scratch.Sh("readlink out/bin/vdir")).Trim());
        Assert.Equal("755 1600000000", (await scratch.Sh("stat -c '%a %Y' out/usr/local/bin/docker")).Trim());
        Assert.Equal("docker", (await scratch.Sh("readlink out/usr/local/bin/docker-alias")).Trim());
        var names = (await scratch.Sh("cpio -it --quiet < merged.cpio")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(names, n => n == "etc/motd");
        Assert.True(Array.IndexOf(names, "usr/local/bin") < Array.IndexOf(names, "usr/local/bin/docker"));
    }

    private static async Task<(byte[] Bytes, InitrdOverlayResult Result)> Run(string basePath, InitrdOverlayMode mode)
    {
        using var input = File.OpenRead(basePath);
        using var output = new MemoryStream();
        var result = await InitrdOverlayWriter.WriteAsync(input, Overlay(), mode, output, cancellationToken: TestContext.Current.CancellationToken);
        return (output.ToArray(), result);
    }

    internal static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
