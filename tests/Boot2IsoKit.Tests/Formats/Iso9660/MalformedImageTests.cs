using System.Buffers.Binary;
using System.Text;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.Iso9660.Building;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Tests.Formats.Iso9660;

/// <summary>
/// A corpus of broken and hostile images generated from one good image: each must give an
/// <see cref="InvalidIsoException"/> naming the image (or open cleanly), never another exception,
/// a hang or an allocation the size of a claimed length. The corpus is a fixed, small set of
/// mutations of a ~100 KiB image, so its cost is bounded by construction.
/// </summary>
public sealed class MalformedImageTests
{
    private const string Name = "hostile.iso";
    private static readonly byte[] Good = BuildGood();

    private static byte[] BuildGood()
    {
        var builder = new IsoBuilder { VolumeId = "HOSTILE", Timestamp = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        builder.AddFile("file.txt", BytesContent.FromText("hello\n", "file"));
        builder.AddFile("abcdefgh", BytesContent.FromText("a", "a"));
        builder.AddFile("xx", BytesContent.FromText("x", "x"));
        builder.AddFile(new string('n', 180), BytesContent.FromText("long", "long"));
        builder.AddFile("loopdir/inner/leaf", BytesContent.FromText("leaf", "leaf"));
        builder.AddSymlink("link", "file.txt");
        builder.AddFile("isolinux/isolinux.bin", new BytesContent(IsoTestTree.Bytes(4096, 3), "boot"));
        builder.ElToritoBoot = new ElToritoBootOptions("isolinux/isolinux.bin");
        var output = new MemoryStream();
        builder.Build(output, cancellationToken: TestContext.Current.CancellationToken);
        return output.ToArray();
    }

    private static uint RootLba(byte[] image) => BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(0x8000 + 156 + 2));

    /// <summary>Byte offset of the record with this ISO identifier in the directory at <paramref name="lba"/>.</summary>
    private static int Record(byte[] image, uint lba, string identifier)
    {
        var position = (int)lba * 2048;
        while (image[position] != 0)
        {
            var length = image[position];
            if (Encoding.ASCII.GetString(image, position + 33, image[position + 32]) == identifier)
            {
                return position;
            }

            position += length;
        }

        throw new InvalidOperationException($"no record {identifier}");
    }

    private static int Find(byte[] image, string text, int from = 0) =>
        image.AsSpan(from).IndexOf(Encoding.ASCII.GetBytes(text)) is var i and >= 0 ? from + i : throw new InvalidOperationException(text);

    private static byte[] Mutate(Action<byte[]> change)
    {
        var copy = (byte[])Good.Clone();
        change(copy);
        return copy;
    }

    private static void Put32(byte[] image, int offset, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(offset), value);
        BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(offset + 4), value);
    }

    public static TheoryData<string> NamedCases() => [.. Cases().Keys];

    private static Dictionary<string, Func<byte[]>> Cases()
    {
        var root = RootLba(Good);
        var loopDir = Record(Good, root, "LOOPDIR");
        var loopLba = BinaryPrimitives.ReadUInt32LittleEndian(Good.AsSpan(loopDir + 2));
        var file = Record(Good, root, "FILE.TXT;1");
        var longName = Record(Good, root, new string('N', 30) + ".;1");
        var ce = Find(Good, "CE", longName);
        var catalogLba = BinaryPrimitives.ReadUInt32LittleEndian(Good.AsSpan((17 * 2048) + 0x47));
        return new()
        {
            ["root extent past the end"] = () => Mutate(i => Put32(i, 0x8000 + 156 + 2, 0xFFFFFF)),
            ["root size absurd"] = () => Mutate(i => Put32(i, 0x8000 + 156 + 10, 0xFFFFF000)),
            ["root record length garbage"] = () => Mutate(i => i[0x8000 + 156] = 3),
            ["block size not 2048"] = () => Mutate(i => i[0x8000 + 129] = 2),
            ["no terminator"] = () => Mutate(i => i.AsSpan(16 * 2048, 2048 * 8).Clear()),
            ["directory loop to the root"] = () => Mutate(i => Put32(i, loopDir + 2, root)),
            ["directory loop to itself"] = () => Mutate(i => Put32(i, Record(i, loopLba, "INNER") + 2, loopLba)),
            ["file extent past the end"] = () => Mutate(i => Put32(i, file + 10, 0x7FFFFFFF)),
            ["file LBA past the end"] = () => Mutate(i => Put32(i, file + 2, 0x00FFFFFF)),
            ["record length below minimum"] = () => Mutate(i => i[file] = 20),
            ["record length crossing the sector"] = () => Mutate(i => i[file] = 254),
            ["identifier length past the record"] = () => Mutate(i => i[file + 32] = 250),
            ["ISO identifier with a slash"] = () => Mutate(i => i[file + 33] = (byte)'/'),
            ["ISO identifier with NUL"] = () => Mutate(i => i[file + 34] = 0),
            ["Rock Ridge name with a slash"] = () => Mutate(i => i[Find(i, "abcdefgh", Find(i, "NM")) + 2] = (byte)'/'),
            ["Rock Ridge name with NUL"] = () => Mutate(i => i[Find(i, "abcdefgh", Find(i, "NM")) + 2] = 0),
            ["Rock Ridge name dot dot"] = () => Mutate(i => Encoding.ASCII.GetBytes("..").CopyTo(i, Find(i, "NM\u0007\u0001\u0000xx") + 5)),
            ["Rock Ridge name marked current"] = () => Mutate(i => i[Find(i, "NM\u0007\u0001\u0000xx") + 4] = 2),
            ["duplicate names"] = () => Mutate(i => Encoding.ASCII.GetBytes("file.txt").CopyTo(i, Find(i, "abcdefgh", Find(i, "NM")))),
            ["continuation area loops to itself"] = () => Mutate(i => { Put32(i, ce + 4, (uint)(ce / 2048)); Put32(i, ce + 12, (uint)(ce % 2048)); Put32(i, ce + 20, 28); }),
            ["continuation area past the end"] = () => Mutate(i => Put32(i, ce + 4, 0xFFFFFF)),
            ["continuation area absurd length"] = () => Mutate(i => Put32(i, ce + 20, 0xFFFFFFF0)),
            ["continuation area offset past its block"] = () => Mutate(i => Put32(i, ce + 12, 5000)),
            ["multi-extent directory"] = () => Mutate(i => i[loopDir + 25] |= 0x80),
            ["directory ends inside a multi-extent file"] = () => Mutate(i => i[Record(i, root, "XX.;1") + 25] |= 0x80),
            ["path table size past the end"] = () => Mutate(i => Put32(i, 0x8000 + 132, 0x7FFFFFF0)),
            ["path table parent number garbage"] = () => Mutate(i => i[(BinaryPrimitives.ReadUInt32LittleEndian(i.AsSpan(0x8000 + 140)) * 2048) + 6] = 9),
            ["path table names a non-directory"] = () => Mutate(i => i[(BinaryPrimitives.ReadUInt32LittleEndian(i.AsSpan(0x8000 + 140)) * 2048) + 2] ^= 0x40),
            ["boot catalog past the end"] = () => Mutate(i => BinaryPrimitives.WriteUInt32LittleEndian(i.AsSpan((17 * 2048) + 0x47), 0xFFFFFF)),
            ["boot catalog checksum wrong"] = () => Mutate(i => i[(int)(catalogLba * 2048) + 28] ^= 1),
            ["boot image RBA past the end"] = () => Mutate(i => BinaryPrimitives.WriteUInt32LittleEndian(i.AsSpan((int)(catalogLba * 2048) + 40), 0xFFFFFF)),
            ["truncated inside the directories"] = () => Good[..((int)root * 2048 + 100)],
        };
    }

    [Theory]
    [MemberData(nameof(NamedCases))]
    public void A_named_defect_gives_an_invalid_iso_error_naming_the_image(string defect)
    {
        var image = Cases()[defect]();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidIsoException>(() => OpenAndReadEverything(image));

        Assert.Equal(Name, error.Input);
        Assert.StartsWith(Name + ": ", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocation follows a claimed size");
    }

    [Fact]
    public void The_unmodified_image_opens_and_reads()
    {
        using var image = IsoImage.Open(new MemoryStream(Good), Name);

        Assert.Equal("hello\n", new StreamReader(image.OpenFile(image.Find("file.txt")!)).ReadToEnd());
        Assert.Equal("file.txt", image.Find("link")!.SymlinkTarget);
        Assert.True(image.Find(new string('n', 180)) is not null);
    }

    [Fact]
    public void Truncation_at_any_offset_gives_only_invalid_iso_errors()
    {
        var failures = new List<string>();
        for (var length = 0; length < Good.Length; length += 509)
        {
            Check(Good[..length], $"truncated to {length}", failures);
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Random_byte_corruption_of_the_metadata_gives_only_invalid_iso_errors()
    {
        var random = new Random(20240101);
        var metadataEnd = (int)(RootLba(Good) + 8) * 2048;
        var failures = new List<string>();
        for (var round = 0; round < 400; round++)
        {
            var image = (byte[])Good.Clone();
            var changes = random.Next(1, 9);
            for (var c = 0; c < changes; c++)
            {
                image[random.Next(16 * 2048, metadataEnd)] = (byte)random.Next(256);
            }

            Check(image, $"round {round}", failures);
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Nesting_deeper_than_the_reader_accepts_is_refused()
    {
        var builder = new IsoBuilder { Timestamp = DateTimeOffset.UnixEpoch };
        builder.AddDirectory(string.Join('/', Enumerable.Repeat("d", 300)));
        var output = new MemoryStream();
        builder.Build(output, cancellationToken: TestContext.Current.CancellationToken);

        var error = Assert.Throws<InvalidIsoException>(() => IsoImage.Open(new MemoryStream(output.ToArray()), Name));

        Assert.Contains("deeper", error.Message, StringComparison.Ordinal);
    }

    private static void Check(byte[] image, string what, List<string> failures)
    {
        try
        {
            OpenAndReadEverything(image);
        }
        catch (InvalidIsoException)
        {
            // expected for most mutations
        }
#pragma warning disable CA1031 // the point of the corpus is to catch every other exception type
        catch (Exception e)
#pragma warning restore CA1031
        {
            failures.Add($"{what}: {e.GetType().Name}: {e.Message}");
        }
    }

    private static void OpenAndReadEverything(byte[] bytes)
    {
        using var image = IsoImage.Open(new MemoryStream(bytes, writable: false), Name);
        foreach (var node in image.Root.Descendants().Where(n => n.Kind == IsoNodeKind.File))
        {
            using var stream = image.OpenFile(node);
            stream.CopyTo(Stream.Null);
            Assert.Same(node, image.Find(node.Path));
        }
    }
}
