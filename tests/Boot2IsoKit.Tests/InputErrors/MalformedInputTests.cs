using System.Formats.Tar;
using System.IO.Compression;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Tests.InputErrors;

/// <summary>The shared "malformed input" filter, fed the exceptions real readers and a really full device throw.</summary>
public sealed class MalformedInputTests
{
    private static Exception Thrown(Action action) => Assert.ThrowsAny<Exception>(action);

    [Fact]
    public void Corrupt_gzip_and_truncated_tar_are_malformed_input()
    {
        var gzip = new MemoryStream();
        using (var writer = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
        {
            writer.Write(new byte[4096]);
        }

        var corrupt = gzip.ToArray();
        corrupt[12] ^= 0xFF;
        var badGzip = Thrown(() => new GZipStream(new MemoryStream(corrupt), CompressionMode.Decompress).CopyTo(Stream.Null));

        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "file") { DataStream = new MemoryStream(new byte[3000]) });
        }

        var truncated = new MemoryStream(tar.ToArray()[..1000]);
        var badTar = Thrown(() =>
        {
            using var reader = new TarReader(truncated);
            while (reader.GetNextEntry() is { } entry)
            {
                entry.DataStream?.CopyTo(Stream.Null);
            }
        });

        Assert.True(MalformedInput.Is(badGzip), badGzip.GetType().Name);
        Assert.True(MalformedInput.Is(badTar), badTar.GetType().Name);
        Assert.True(MalformedInput.IsFromDecoder(badGzip));
    }

    [Fact]
    public void A_full_disk_is_a_write_side_error_not_malformed_input()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("/dev/full is Linux's");
        }

        var full = Assert.IsAssignableFrom<IOException>(Thrown(() =>
        {
            using var device = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            device.Write(new byte[8192]);
            device.Flush();
        }));

        Assert.True(MalformedInput.IsOutOfSpace(full), $"HResult {full.HResult}");
        Assert.False(MalformedInput.Is(full));
        Assert.False(MalformedInput.IsFromDecoder(full));
    }

    [Fact]
    public void A_missing_file_is_not_malformed_input()
    {
        var missing = Thrown(() => File.OpenRead(Path.Combine(Path.GetTempPath(), $"b2ik-missing-{Guid.NewGuid():N}")));

        Assert.IsType<FileNotFoundException>(missing);
        Assert.False(MalformedInput.Is(missing));
        Assert.False(MalformedInput.IsFromDecoder(missing));
    }

    [Theory]
    [InlineData("format", true, true)]
    [InlineData("overflow", true, true)]
    [InlineData("argument-out-of-range", true, true)]
    [InlineData("argument-null", false, true)]
    [InlineData("index-out-of-range", false, true)]
    [InlineData("invalid-input", false, false)]
    [InlineData("toolkit", false, false)]
    [InlineData("cancelled", false, false)]
    [InlineData("unauthorized", false, false)]
    public void Each_kind_is_decided_by_its_type(string kind, bool malformed, bool fromDecoder)
    {
        Exception e = kind switch
        {
            "format" => new FormatException(),
            "overflow" => new OverflowException(),
            "argument-out-of-range" => new ArgumentOutOfRangeException(nameof(kind)),
            "argument-null" => new ArgumentNullException(nameof(kind)),
            "index-out-of-range" => Thrown(() => _ = Array.Empty<int>()[1]),
            "invalid-input" => new InvalidInputException("a.iso", "LBA 16", "bad"),
            "toolkit" => new Boot2IsoKitException("tool missing"),
            "cancelled" => new OperationCanceledException(),
            _ => new UnauthorizedAccessException(),
        };

        Assert.Equal(malformed, MalformedInput.Is(e));
        Assert.Equal(fromDecoder, MalformedInput.IsFromDecoder(e));
    }
}
