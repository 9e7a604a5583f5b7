using System.Text;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Tests.Formats.Initramfs;

public class MalformedInitrdTests
{
    private static byte[] ValidArchive()
    {
        using var buffer = new MemoryStream();
        using (var writer = new CpioWriter(buffer, leaveOpen: true))
        {
            writer.Write(RootfsEntry.Directory("etc"));
            writer.Write(RootfsEntry.File("etc/motd", BytesContent.FromText("hello world, this is the motd\n", "motd")));
            writer.Write(RootfsEntry.Symlink("etc/issue", "motd"));
            writer.WriteTrailer();
        }

        return buffer.ToArray();
    }

    private static string Header(string name, long fileSize, string magic = "070701", int mode = 0x81A4, int? nameSize = null) =>
        magic + string.Concat(new long[] { 1, mode, 0, 0, 1, 0, fileSize, 0, 0, 0, 0, nameSize ?? (Encoding.UTF8.GetByteCount(name) + 1), 0 }.Select(v => ((uint)v).ToString("X8", System.Globalization.CultureInfo.InvariantCulture)))
        + name + "\0";

    private static List<string> ReadAll(byte[] archive)
    {
        var names = new List<string>();
        using var reader = new CpioReader(new MemoryStream(archive), "test.cpio");
        while (reader.MoveNext())
        {
            names.Add(reader.Current!.Name);
            using var data = reader.OpenEntryStream();
            data.CopyTo(Stream.Null);
        }

        return names;
    }

    private static List<string> ReadInitrd(byte[] initrd)
    {
        using var stream = new MemoryStream(initrd);
        return [.. new InitrdReader(stream, "test.img").ReadContents().Entries.Select(e => e.Path)];
    }

    [Fact]
    public void The_valid_archive_reads()
    {
        Assert.Equal(["etc", "etc/motd", "etc/issue"], ReadAll(ValidArchive()));
    }

    [Theory]
    [InlineData(50)]
    [InlineData(109)]
    [InlineData(200)]
    public void A_truncated_archive_is_an_error_naming_the_offset(int keep)
    {
        var error = Assert.Throws<InvalidCpioException>(() => ReadAll(ValidArchive()[..keep]));
        Assert.Equal("test.cpio", error.Input);
        Assert.Contains("offset", error.Location, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("070707", "odc")]
    [InlineData("07070X", "bad magic")]
    public void A_wrong_magic_is_refused(string magic, string expected)
    {
        var archive = ValidArchive();
        Encoding.ASCII.GetBytes(magic).CopyTo(archive, 0);
        var error = Assert.Throws<InvalidCpioException>(() => ReadAll(archive));
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("etc/../../x")]
    public void Names_leaving_the_root_are_refused(string name)
    {
        var archive = Encoding.ASCII.GetBytes(Header(name, 0).PadRight(((110 + name.Length + 1 + 3) / 4) * 4, '\0'));
        var error = Assert.Throws<InvalidCpioException>(() => ReadAll(archive));
        Assert.Contains("..", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/motd")]
    [InlineData("./etc/motd")]
    public void Absolute_and_dot_slash_names_are_normalized(string name)
    {
        var text = Header(name, 0);
        var archive = Encoding.ASCII.GetBytes(text.PadRight((text.Length + 3) / 4 * 4, '\0'));
        Assert.Equal(["etc/motd"], ReadAll(archive));
    }

    [Fact]
    public void A_size_past_the_end_of_the_input_is_refused_before_reading()
    {
        var text = Header("big", 0x7FFFFFFF);
        var archive = Encoding.ASCII.GetBytes(text.PadRight((text.Length + 3) / 4 * 4, '\0') + "only a few bytes");
        var error = Assert.Throws<InvalidCpioException>(() => ReadAll(archive));
        Assert.Contains("past the end", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_size_over_path_max_or_without_nul_is_refused()
    {
        Assert.Throws<InvalidCpioException>(() => ReadAll(Encoding.ASCII.GetBytes(Header("x", 0, nameSize: 100_000))));
        var noNul = Header("abc", 0, nameSize: 3);
        Assert.Throws<InvalidCpioException>(() => ReadAll(Encoding.ASCII.GetBytes(noNul.PadRight(116, '\0'))));
    }

    [Fact]
    public void A_plain_archive_at_an_unaligned_offset_of_an_initrd_is_refused()
    {
        byte[] initrd = [0, 0, 0, 0, 0, 0, .. ValidArchive()];
        var error = Assert.Throws<InvalidCpioException>(() => ReadInitrd(initrd));
        Assert.Contains("aligned", error.Problem, StringComparison.Ordinal);
        Assert.Equal("offset 6", error.Location);
    }

    [Fact]
    public void Unknown_magic_empty_and_unsupported_initrds_are_refused()
    {
        Assert.Contains("invalid magic", Assert.Throws<InvalidCpioException>(() => ReadInitrd([0x13, 0x37, 1, 2, 3, 4])).Problem, StringComparison.Ordinal);
        Assert.Contains("no archive", Assert.Throws<InvalidCpioException>(() => ReadInitrd(new byte[64])).Problem, StringComparison.Ordinal);
        Assert.Contains("Bzip2", Assert.Throws<InvalidCpioException>(() => ReadInitrd([0x42, 0x5A, 0x68, 0x39, 0, 0])).Problem, StringComparison.Ordinal);
    }

    /// <summary>Every corruption of every kind of member gives a typed error or a readable result, never anything else.</summary>
    [Theory]
    [InlineData("gzip")]
    [InlineData("lzma")]
    [InlineData("none")]
    public void Random_corruption_gives_only_typed_errors(string kind)
    {
        var archive = ValidArchive();
        byte[] member = kind switch
        {
            "gzip" => Gzip(archive),
            "lzma" => Lzma(archive),
            _ => archive,
        };
        var random = new Random(4);
        for (var round = 0; round < 300; round++)
        {
            var corrupt = (byte[])member.Clone();
            if (round % 3 == 0)
            {
                corrupt = corrupt[..random.Next(1, corrupt.Length)];
            }
            else
            {
                for (var flips = 0; flips < 1 + (round % 4); flips++)
                {
                    corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
                }
            }

            try
            {
                ReadInitrd(corrupt);
            }
            catch (InvalidInputException)
            {
            }
        }
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    private static byte[] Lzma(byte[] data)
    {
        using var compressed = new MemoryStream();
        byte[] properties;
        using (var lzma = SharpCompress.Compressors.LZMA.LzmaStream.Create(new SharpCompress.Compressors.LZMA.LzmaEncoderProperties(true, 1 << 16), false, compressed))
        {
            properties = lzma.Properties;
            lzma.Write(data);
        }

        return [.. properties, .. BitConverter.GetBytes(-1L), .. compressed.ToArray()];
    }
}
