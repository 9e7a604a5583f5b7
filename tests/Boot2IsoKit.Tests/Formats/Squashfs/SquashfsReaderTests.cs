using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Boot2IsoKit.Formats.Squashfs;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Tests.Formats.Squashfs;

/// <summary>
/// The reader against squashfs-tools: images made by mksquashfs from one tree (every compressor the reader
/// claims, 4 KiB / 128 KiB / 1 MiB blocks, fragments normal / off / always, uncompressed tables) must list
/// exactly what `unsquashfs -lln` lists, and give exactly the files, owners, modes, times, device numbers,
/// hard-link groups and bytes that `unsquashfs -d` extracts.
/// </summary>
public sealed partial class SquashfsReaderTests(SquashfsSourceTree tree) : IClassFixture<SquashfsSourceTree>
{
    [Theory]
    [InlineData("gzip", "4K", "")]
    [InlineData("gzip", "128K", "-no-fragments")]
    [InlineData("gzip", "1M", "-always-use-fragments")]
    [InlineData("gzip", "128K", "-noI -noD -noF -noId")]
    [InlineData("xz", "128K", "")]
    [InlineData("xz", "4K", "-Xbcj x86")]
    [InlineData("lzma", "128K", "")]
    [InlineData("lz4", "128K", "-Xhc")]
    [InlineData("lz4", "4K", "-no-fragments")]
    [InlineData("zstd", "1M", "")]
    [InlineData("zstd", "4K", "-always-use-fragments")]
    public async Task Reader_agrees_with_unsquashfs(string compressor, string blockSize, string options)
    {
        var image = await MakeImage(compressor, blockSize, options);

        using var squashfs = SquashfsImage.Open(image);
        Assert.Equal(compressor, squashfs.Superblock.Compression.ToString().ToLowerInvariant());
        Assert.True(squashfs.Entries.Count > 3000, $"only {squashfs.Entries.Count} entries");

        // The image has what the comparison is about: hard links, sparse blocks, an extended (indexed) directory.
        Assert.Contains(squashfs.Entries, e => e.HardLinkTarget is not null);
        Assert.Contains(squashfs.Entries, e => e.Inode.BlockSizes.Contains(0u));
        Assert.Contains(squashfs.Entries, e => e.Inode.Type == 8);

        // The listing: type and permission bits, owner ids, sizes (device numbers as unsquashfs prints them), minute, path, target.
        var listing = (await ExternalTool.RunAsync("unsquashfs", ["-lln", image], environment: new Dictionary<string, string> { ["TZ"] = "UTC" }, cancellationToken: TestContext.Current.CancellationToken)).EnsureSuccess().StandardOutput;
        var expected = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ParseListingLine).Where(l => !l.EndsWith('|')).Order().ToList();
        var actual = squashfs.Entries.Select(ListingOf).Order().ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);

        // The extracted tree, as the kernel sees it after unsquashfs wrote it.
        var output = tree.Scratch[$"out-{compressor}-{blockSize}-{options.Replace(' ', '_')}"];
        await tree.Scratch.Sh($"unsquashfs -q -no-progress -d '{output}' '{image}' >/dev/null");
        var stat = await tree.Scratch.Sh($"cd '{output}' && find . -mindepth 1 -print0 | xargs -0 stat -c '%n|%F|%a|%u|%g|%Y|%s|%h|%t|%T|%i'");
        var extracted = stat.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToDictionary(f => f[0][2..], StringComparer.Ordinal);
        var rootfs = squashfs.ToRootfsEntries("test").ToDictionary(e => e.Path, StringComparer.Ordinal);
        Assert.Equal(extracted.Keys.Order(StringComparer.Ordinal), rootfs.Keys.Order(StringComparer.Ordinal));
        var inodeOfDisk = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in squashfs.Entries)
        {
            var fields = extracted[entry.Path];
            var converted = rootfs[entry.Path];
            var kind = converted.Kind == RootfsEntryKind.HardLink ? rootfs[converted.LinkTarget!].Kind : converted.Kind;
            Assert.Equal(FileTypeName(fields[1]), kind);
            Assert.Equal(fields[2], Convert.ToString(converted.Permissions, 8));
            Assert.Equal((fields[3], fields[4]), (converted.Uid.ToString(CultureInfo.InvariantCulture), converted.Gid.ToString(CultureInfo.InvariantCulture)));
            if (kind != RootfsEntryKind.Symlink)
            {
                Assert.Equal(fields[5], converted.ModificationTime.ToString(CultureInfo.InvariantCulture));
            }

            if (kind is RootfsEntryKind.CharacterDevice or RootfsEntryKind.BlockDevice)
            {
                Assert.Equal((fields[8], fields[9]), (converted.DeviceMajor.ToString("x", CultureInfo.InvariantCulture), converted.DeviceMinor.ToString("x", CultureInfo.InvariantCulture)));
            }

            if (kind == RootfsEntryKind.Symlink)
            {
                Assert.Equal(new FileInfo(Path.Combine(output, entry.Path)).LinkTarget, converted.LinkTarget);
            }

            if (kind == RootfsEntryKind.File)
            {
                // Names that share a disk inode after extraction share one squashfs inode, and the reader says so.
                var owner = converted.Kind == RootfsEntryKind.HardLink ? converted.LinkTarget! : entry.Path;
                if (inodeOfDisk.TryGetValue(fields[10], out var first))
                {
                    Assert.Equal(first, owner);
                }
                else
                {
                    inodeOfDisk[fields[10]] = owner;
                }

                Assert.Equal(fields[7], squashfs.Entries.Count(e => e.Inode.Reference == entry.Inode.Reference).ToString(CultureInfo.InvariantCulture));
                if (converted.Content is { } content)
                {
                    Assert.Equal(long.Parse(fields[6], CultureInfo.InvariantCulture), content.Length);
                    Assert.Equal(await HashFile(Path.Combine(output, entry.Path)), await Hash(content.OpenRead()));
                }
            }
        }
    }

    [Fact]
    public async Task Lzo_is_refused_with_a_typed_error_naming_it()
    {
        var image = await MakeImage("lzo", "128K", "");

        var error = Assert.Throws<InvalidSquashfsException>(() => SquashfsImage.Open(image));

        Assert.Equal(image, error.Input);
        Assert.Equal("superblock", error.Location);
        Assert.Contains("lzo", error.Problem, StringComparison.Ordinal);
    }

    private async Task<string> MakeImage(string compressor, string blockSize, string options)
    {
        var image = tree.Scratch[$"{compressor}-{blockSize}-{options.Replace(' ', '_')}.sqfs"];
        string[] arguments =
        [
            tree.Source, image, "-noappend", "-no-progress", "-quiet", "-comp", compressor, "-b", blockSize,
            .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. SquashfsSourceTree.PseudoArguments,
        ];
        await ExternalTool.RunCheckedAsync("mksquashfs", arguments, cancellationToken: TestContext.Current.CancellationToken);
        return image;
    }

    private static RootfsEntryKind FileTypeName(string stat) => stat switch
    {
        "regular file" or "regular empty file" => RootfsEntryKind.File,
        "directory" => RootfsEntryKind.Directory,
        "symbolic link" => RootfsEntryKind.Symlink,
        "character special file" => RootfsEntryKind.CharacterDevice,
        "block special file" => RootfsEntryKind.BlockDevice,
        "fifo" => RootfsEntryKind.Fifo,
        "socket" => RootfsEntryKind.Socket,
        _ => throw new InvalidOperationException($"unexpected file type '{stat}'"),
    };

    /// <summary>One line of `unsquashfs -lln` as fields; sizes keep unsquashfs's "major,minor" device form without spaces.</summary>
    private static string ParseListingLine(string line)
    {
        var match = ListingLine().Match(line);
        Assert.True(match.Success, $"unexpected unsquashfs -lln line: {line}");
        var path = match.Groups["path"].Value.TrimStart('/');
        return string.Join('|', match.Groups["mode"].Value, match.Groups["uid"].Value, match.Groups["gid"].Value,
            match.Groups["size"].Value.Replace(" ", "", StringComparison.Ordinal), match.Groups["time"].Value, path);
    }

    /// <summary>The same fields from the reader: unsquashfs prints a device as (raw number &gt;&gt; 8, raw &amp; 0xff) of the stored encoding.</summary>
    private static string ListingOf(SquashfsEntry entry)
    {
        var inode = entry.Inode;
        var size = inode.Kind is RootfsEntryKind.CharacterDevice or RootfsEntryKind.BlockDevice
            ? FormattableString.Invariant($"{EncodedDevice(inode) >> 8},{EncodedDevice(inode) & 0xFF}")
            : inode.Kind is RootfsEntryKind.Fifo or RootfsEntryKind.Socket ? "0" : inode.FileSize.ToString(CultureInfo.InvariantCulture);
        var time = DateTimeOffset.FromUnixTimeSeconds(inode.ModificationTime).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var path = inode.SymlinkTarget is { } target ? $"{entry.Path} -> {target}" : entry.Path;
        return string.Join('|', ModeString(inode), inode.Uid.ToString(CultureInfo.InvariantCulture), inode.Gid.ToString(CultureInfo.InvariantCulture), size, time, path);
    }

    private static uint EncodedDevice(SquashfsInode inode) =>
        (uint)((inode.DeviceMinor & 0xFF) | (inode.DeviceMajor << 8) | ((inode.DeviceMinor & ~0xFF) << 12));

    /// <summary>ls-style mode string, as unsquashfs's modestr writes it (s/S, t/T for the special bits).</summary>
    private static string ModeString(SquashfsInode inode)
    {
        var type = inode.Kind switch
        {
            RootfsEntryKind.Directory => 'd',
            RootfsEntryKind.Symlink => 'l',
            RootfsEntryKind.CharacterDevice => 'c',
            RootfsEntryKind.BlockDevice => 'b',
            RootfsEntryKind.Fifo => 'p',
            RootfsEntryKind.Socket => 's',
            _ => '-',
        };
        var p = inode.Permissions;
        char Bit(int mask, char c) => (p & mask) != 0 ? c : '-';
        char Exec(int mask, int special, char set, char unset) =>
            (p & special) != 0 ? ((p & mask) != 0 ? set : unset) : Bit(mask, 'x');
        return new string(
        [
            type, Bit(0x100, 'r'), Bit(0x80, 'w'), Exec(0x40, 0x800, 's', 'S'),
            Bit(0x20, 'r'), Bit(0x10, 'w'), Exec(0x8, 0x400, 's', 'S'),
            Bit(0x4, 'r'), Bit(0x2, 'w'), Exec(0x1, 0x200, 't', 'T'),
        ]);
    }

    private static async Task<string> HashFile(string path)
    {
        await using var file = File.OpenRead(path);
        return await Hash(file);
    }

    private static async Task<string> Hash(Stream stream)
    {
        await using (stream)
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, TestContext.Current.CancellationToken));
        }
    }

    [GeneratedRegex(@"^(?<mode>\S{10}) (?<uid>\d+)/(?<gid>\d+) +(?<size>\d+|\d+, *\d+) (?<time>\d{4}-\d\d-\d\d \d\d:\d\d) squashfs-root(?<path>.*)$")]
    private static partial Regex ListingLine();
}
