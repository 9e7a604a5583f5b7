using System.Text;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.Iso9660.Building;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Tests.Formats.Iso9660;

/// <summary>One entry of a test tree: what we put into an image and expect every reader to see.</summary>
internal sealed record TreeEntry(string Path, IsoNodeKind Kind, uint Mode, uint Uid = 0, uint Gid = 0, byte[]? Data = null, string? Target = null);

/// <summary>
/// A tree that exercises the writer: sizes around block boundaries, an empty file, long names (Rock Ridge
/// continuation areas), deep directories, a directory spanning several sectors, symlinks, modes, owners.
/// </summary>
internal static class IsoTestTree
{
    public static readonly string Isolinux = "/usr/lib/ISOLINUX/isolinux.bin";
    public static readonly string Isohdpfx = "/usr/lib/ISOLINUX/isohdpfx.bin";

    public static List<TreeEntry> Standard()
    {
        var entries = new List<TreeEntry>
        {
            new("boot", IsoNodeKind.Directory, 0x1ED),
            new("boot/vmlinuz", IsoNodeKind.File, 0x1A4, Data: Bytes(3_000_001, 1)),
            new("boot/initrd.img", IsoNodeKind.File, 0x1ED, 1000, 50, Bytes(100_000, 2)),
            new("empty", IsoNodeKind.File, 0x180, 7, 8, []),
            new("one", IsoNodeKind.File, 0x1A4, Data: Bytes(1, 3)),
            new("block-2047", IsoNodeKind.File, 0x1A4, Data: Bytes(2047, 4)),
            new("block-2048", IsoNodeKind.File, 0x1A4, Data: Bytes(2048, 5)),
            new("block-2049", IsoNodeKind.File, 0x1A4, Data: Bytes(2049, 6)),
            new("Mixed Case Name.With.Dots.tar.gz", IsoNodeKind.File, 0x1A4, Data: Bytes(10, 7)),
            new(new string('l', 200) + ".txt", IsoNodeKind.File, 0x1A4, Data: Bytes(20, 8)),
            new("link-abs", IsoNodeKind.Symlink, 0x1FF, Target: "/boot/vmlinuz"),
            new("link-rel", IsoNodeKind.Symlink, 0x1FF, Target: "boot/./vmlinuz"),
            new("secret", IsoNodeKind.Directory, 0x1C0, 1000, 1000),
            new("secret/key", IsoNodeKind.File, 0x100, 1000, 1000, Bytes(32, 9)),
            new("secret/up", IsoNodeKind.Symlink, 0x1FF, 1000, 1000, Target: "../boot/vmlinuz"),
            new("many", IsoNodeKind.Directory, 0x1ED),
        };
        for (var i = 0; i < 60; i++)
        {
            entries.Add(new($"many/file-number-{i:D3}-with-a-longer-name", IsoNodeKind.File, 0x1A4, Data: Bytes(i * 37, 100 + i)));
        }

        var deep = "deep";
        entries.Add(new(deep, IsoNodeKind.Directory, 0x1ED));
        for (var level = 1; level <= 11; level++)
        {
            deep += $"/level{level}";
            entries.Add(new(deep, IsoNodeKind.Directory, 0x1ED));
        }

        entries.Add(new(deep + "/bottom.txt", IsoNodeKind.File, 0x1A4, Data: Encoding.ASCII.GetBytes("bottom\n")));
        return entries;
    }

    /// <summary>The standard tree plus a bootable ISOLINUX layout (real isolinux.bin).</summary>
    public static List<TreeEntry> Bootable()
    {
        var entries = Standard();
        entries.Add(new("isolinux", IsoNodeKind.Directory, 0x1ED));
        entries.Add(new("isolinux/isolinux.bin", IsoNodeKind.File, 0x1A4, Data: File.ReadAllBytes(Isolinux)));
        entries.Add(new("isolinux/isolinux.cfg", IsoNodeKind.File, 0x1A4, Data: Encoding.ASCII.GetBytes("default linux\nlabel linux\n  kernel /boot/vmlinuz\n")));
        return entries;
    }

    /// <summary>True when two copies of a file agree, ignoring the boot-info-table (bytes 8..63) of the boot image.</summary>
    public static bool SameContent(string path, byte[] expected, byte[] actual) =>
        path == "isolinux/isolinux.bin"
            ? expected.Length == actual.Length && expected.AsSpan(0, 8).SequenceEqual(actual.AsSpan(0, 8)) && expected.AsSpan(64).SequenceEqual(actual.AsSpan(64))
            : expected.AsSpan().SequenceEqual(actual);

    public static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static IsoBuilder Builder(IEnumerable<TreeEntry> entries, DateTimeOffset time)
    {
        var builder = new IsoBuilder { VolumeId = "b2d-v24.0.7-test", ApplicationId = "Boot2IsoKit tests", Timestamp = time };
        foreach (var e in entries)
        {
            switch (e.Kind)
            {
                case IsoNodeKind.Directory:
                    builder.AddDirectory(e.Path, e.Mode, e.Uid, e.Gid);
                    break;
                case IsoNodeKind.Symlink:
                    builder.AddSymlink(e.Path, e.Target!, e.Mode, e.Uid, e.Gid);
                    break;
                default:
                    builder.AddFile(e.Path, new BytesContent(e.Data!, e.Path), e.Mode, e.Uid, e.Gid);
                    break;
            }
        }

        return builder;
    }

    /// <summary>Writes the tree to disk (modes and owners applied) for xorriso to read.</summary>
    public static async Task Materialize(IEnumerable<TreeEntry> entries, string root)
    {
        var list = entries.ToList();
        foreach (var e in list)
        {
            var path = Path.Combine(root, e.Path);
            switch (e.Kind)
            {
                case IsoNodeKind.Directory:
                    Directory.CreateDirectory(path);
                    break;
                case IsoNodeKind.Symlink:
                    File.CreateSymbolicLink(path, e.Target!);
                    break;
                default:
                    File.WriteAllBytes(path, e.Data!);
                    break;
            }
        }

        // Modes and owners last, deepest first, so restrictive directories do not block their contents.
        foreach (var e in list.Where(e => e.Kind != IsoNodeKind.Symlink).OrderByDescending(e => e.Path.Length))
        {
            var path = Path.Combine(root, e.Path);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)e.Mode);
            }
        }

        foreach (var owner in list.GroupBy(e => (e.Uid, e.Gid)).Where(g => g.Key != (0u, 0u)))
        {
            await ExternalTool.RunCheckedAsync("chown", ["-h", $"{owner.Key.Uid}:{owner.Key.Gid}", .. owner.Select(e => Path.Combine(root, e.Path))]);
        }
    }

    /// <summary>Asserts that an image read by our reader holds exactly the expected entries.</summary>
    public static void AssertTree(IsoImage image, IEnumerable<TreeEntry> expected, bool checkOwners = true, params string[] ignore)
    {
        var actual = image.Root.Descendants().Skip(1).Where(n => !ignore.Contains(n.Path)).ToDictionary(n => n.Path.TrimStart('/'));
        var wanted = expected.ToList();
        Assert.Equal(wanted.Select(e => e.Path).Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var e in wanted)
        {
            var node = actual[e.Path];
            Assert.True(e.Kind == node.Kind, $"{e.Path}: {node.Kind}, expected {e.Kind}");
            if (image.HasRockRidge)
            {
                Assert.True(e.Mode == node.Permissions, $"{e.Path}: mode {Convert.ToString(node.Permissions, 8)}, expected {Convert.ToString(e.Mode, 8)}");
                if (checkOwners)
                {
                    Assert.Equal((e.Uid, e.Gid), (node.Uid, node.Gid));
                }
            }

            if (e.Kind == IsoNodeKind.Symlink)
            {
                Assert.Equal(e.Target, node.SymlinkTarget);
            }
            else if (e.Kind == IsoNodeKind.File)
            {
                Assert.Equal(e.Data!.Length, node.Size);
                using var stream = image.OpenFile(node);
                var content = new MemoryStream();
                stream.CopyTo(content);
                Assert.True(SameContent(e.Path, e.Data, content.ToArray()), $"{e.Path}: content differs");
            }
        }
    }
}
