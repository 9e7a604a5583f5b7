using System.Text;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Initramfs;

public class CpioRoundTripTests
{
    private const long Mtime = 1_500_000_000;

    [Fact]
    public async Task Our_archive_extracts_with_gnu_cpio_keeping_types_owners_modes_times_and_links()
    {
        Requires.Tool("cpio");
        using var scratch = new Scratch();
        var entries = new List<RootfsEntry>
        {
            RootfsEntry.Directory("etc", 0x1ED) with { ModificationTime = Mtime },
            RootfsEntry.File("etc/motd", BytesContent.FromText("hello from the overlay\n", "motd"), 0x1A4) with { ModificationTime = Mtime, Uid = 1000, Gid = 50 },
            RootfsEntry.File("etc/secret", BytesContent.FromText("s", "secret"), 0x180 /* 0600 */) with { ModificationTime = Mtime + 1 },
            RootfsEntry.Symlink("etc/issue", "motd") with { ModificationTime = Mtime },
            RootfsEntry.Directory("dev", 0x1ED) with { ModificationTime = Mtime },
            new RootfsEntry { Path = "dev/null2", Kind = RootfsEntryKind.CharacterDevice, Permissions = 0x1B6, DeviceMajor = 1, DeviceMinor = 3, ModificationTime = Mtime },
            new RootfsEntry { Path = "dev/loop9", Kind = RootfsEntryKind.BlockDevice, Permissions = 0x1B0, DeviceMajor = 7, DeviceMinor = 9, ModificationTime = Mtime },
            new RootfsEntry { Path = "dev/pipe", Kind = RootfsEntryKind.Fifo, Permissions = 0x1A4, ModificationTime = Mtime },
            RootfsEntry.Directory("bin", 0x1ED) with { ModificationTime = Mtime },
            RootfsEntry.File("bin/tool", BytesContent.FromText("#!/bin/sh\necho tool\n", "tool"), 0x1ED) with { ModificationTime = Mtime },
            new RootfsEntry { Path = "bin/tool-alias", Kind = RootfsEntryKind.HardLink, LinkTarget = "bin/tool", Permissions = 0x1ED, ModificationTime = Mtime },
        };
        using (var file = File.Create(scratch["out.cpio"]))
        using (var writer = new CpioWriter(file))
        {
            writer.WriteEntries(entries);
            writer.WriteTrailer();
        }

        Assert.Equal(0, new FileInfo(scratch["out.cpio"]).Length % 4);
        await scratch.Sh("mkdir x && cd x && cpio -idm --quiet < ../out.cpio");
        var stat = await scratch.Sh("cd x && find . -mindepth 1 | sort | xargs stat -c '%n %F %a %u %g %Y %h %t:%T'");
        var lines = stat.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(' ')[0]);
        Assert.Equal("./etc/motd regular file 644 1000 50 1500000000 1 0:0", lines["./etc/motd"]);
        Assert.Equal("./etc/secret regular file 600 0 0 1500000001 1 0:0", lines["./etc/secret"]);
        Assert.StartsWith("./etc/issue symbolic link 777", lines["./etc/issue"], StringComparison.Ordinal);
        Assert.Equal("./dev/null2 character special file 666 0 0 1500000000 1 1:3", lines["./dev/null2"]);
        Assert.Equal("./dev/loop9 block special file 660 0 0 1500000000 1 7:9", lines["./dev/loop9"]);
        Assert.Equal("./dev/pipe fifo 644 0 0 1500000000 1 0:0", lines["./dev/pipe"]);
        Assert.Equal("./bin/tool regular file 755 0 0 1500000000 2 0:0", lines["./bin/tool"]);
        Assert.Equal("./bin/tool-alias regular file 755 0 0 1500000000 2 0:0", lines["./bin/tool-alias"]);
        Assert.Equal("motd", (await scratch.Sh("readlink x/etc/issue")).Trim());
        Assert.Equal("hello from the overlay\n", await File.ReadAllTextAsync(scratch["x/etc/motd"], TestContext.Current.CancellationToken));
        Assert.Equal("#!/bin/sh\necho tool\n", await File.ReadAllTextAsync(scratch["x/bin/tool-alias"], TestContext.Current.CancellationToken));
        Assert.Equal(
            (await scratch.Sh("stat -c %i x/bin/tool")).Trim(),
            (await scratch.Sh("stat -c %i x/bin/tool-alias")).Trim());
    }

    [Theory]
    [InlineData("newc", "070701")]
    [InlineData("crc", "070702")]
    public async Task Gnu_cpio_archives_read_back_entry_by_entry(string format, string magic)
    {
        Requires.Tool("cpio");
        using var scratch = new Scratch();
        await scratch.Sh(
            "mkdir -p t/etc t/bin t/dev && printf 'ID=boot2docker\\n' > t/etc/os-release && cp /bin/true t/bin/true && "
            + "ln t/bin/true t/bin/also-true && ln -s ../etc/os-release t/bin/link && mknod t/dev/zero2 c 1 5 && mkfifo t/dev/fifo && "
            + "chmod 0751 t/bin && touch -d @1400000000 t/etc/os-release && chown 12:34 t/etc/os-release && "
            + $"cd t && find . | sort | cpio -o -H {format} --quiet > ../in.cpio");
        var expected = (await scratch.Sh("cd t && find . -mindepth 1 | sort | xargs stat -c '%n|%f|%u|%g|%Y|%h|%s'"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l.Split('|')[0][2..]);
        Assert.StartsWith(magic, Encoding.ASCII.GetString(File.ReadAllBytes(scratch["in.cpio"]), 0, 6), StringComparison.Ordinal);

        var seen = new Dictionary<string, CpioHeader>();
        var data = new Dictionary<string, byte[]>();
        using (var reader = new CpioReader(File.OpenRead(scratch["in.cpio"]), "in.cpio"))
        {
            while (reader.MoveNext())
            {
                var header = reader.Current!;
                seen[header.Name] = header;
                using var stream = reader.OpenEntryStream();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                data[header.Name] = copy.ToArray();
                if (header.Name == "bin/link")
                {
                    Assert.Equal("../etc/os-release", reader.SymlinkTarget);
                }
            }

            Assert.Equal(1, reader.TrailerCount);
        }

        Assert.True(seen.ContainsKey("."));
        foreach (var (path, line) in expected)
        {
            var fields = line.Split('|');
            var header = seen[path];
            Assert.Equal(Convert.ToInt32(fields[1], 16), header.Mode);
            Assert.Equal(int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), header.Uid);
            Assert.Equal(int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture), header.Gid);
            Assert.Equal(long.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture), header.ModificationTime);
            Assert.Equal(int.Parse(fields[5], System.Globalization.CultureInfo.InvariantCulture), header.LinkCount);
        }

        Assert.Equal(RootfsEntryKind.CharacterDevice, seen["dev/zero2"].Kind);
        Assert.Equal((1, 5), (seen["dev/zero2"].RDevMajor, seen["dev/zero2"].RDevMinor));
        Assert.Equal(RootfsEntryKind.Fifo, seen["dev/fifo"].Kind);
        Assert.Equal(seen["bin/true"].Inode, seen["bin/also-true"].Inode);
        var trueBytes = await File.ReadAllBytesAsync("/bin/true", TestContext.Current.CancellationToken);

        // GNU cpio puts a hard-linked file's data on the last name only.
        Assert.Equal(trueBytes, data["bin/true"].Length > 0 ? data["bin/true"] : data["bin/also-true"]);
        Assert.Equal("ID=boot2docker\n", Encoding.UTF8.GetString(data["etc/os-release"]));
    }
}
