using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.Iso9660.Building;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Iso9660;

/// <summary>
/// A file over 4 GiB: ISO 9660 stores a file's size in 32 bits, so such a file is written as several
/// directory records of one name, all but the last flagged multi-extent (ECMA-119 9.1.6, level 3). Read
/// back by our reader, xorriso, 7z and bsdtar, with marks on both sides of every extent boundary.
/// </summary>
public sealed partial class IsoLargeFileTests : IDisposable
{
    // One full extent of 0xFFFFF800 bytes (the largest multiple of 2048 below 4 GiB) and a short second.
    private const long ExtentBytes = 0xFFFFF800;
    private const long Size = ExtentBytes + 12_345;
    private static readonly DateTimeOffset Time = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
    // Marks at the start, across the extent boundary, just after it, and at the end (16 bytes each, apart).
    private static readonly long[] MarkOffsets = [0, ExtentBytes - 8, ExtentBytes + 100, Size - 16];

    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-iso-large-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_file_over_4_GiB_is_written_as_multi_extent_records_every_reader_reads_whole()
    {
        Requires.Tools("xorriso", "7z", "bsdtar");
        var ct = TestContext.Current.CancellationToken;
        var iso = BuildWithLargeFile();

        // Our reader: one node of the whole size in two extents, the marks where they were written.
        using (var image = IsoImage.Open(iso))
        {
            var node = image.Find("images/big.tar") ?? throw new Xunit.Sdk.XunitException("our reader does not see images/big.tar");
            Assert.Equal(Size, node.Size);
            Assert.Equal(2, node.Extents.Count);
            using var stream = image.OpenFile(node);
            await AssertMarksAsync("our reader", stream, ct);
        }

        // xorriso: the node's extents (report_lba lists each with its size) and the whole size.
        var lba = await ExternalTool.RunCheckedAsync("xorriso", ["-abort_on", "NEVER", "-indev", iso, "-find", "/images/big.tar", "-exec", "report_lba"], cancellationToken: ct);
        var extents = ReportedExtent().Matches(lba.StandardOutput).Select(m => long.Parse(m.Groups["blocks"].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(extents.Count == 2, $"xorriso reports {extents.Count} extent(s):\n{lba.StandardOutput}{lba.StandardError}");
        Assert.Equal((Size + 2047) / 2048, extents.Sum());
        Assert.Equal(Size, (await ReferenceReaders.Xorriso(iso))["images/big.tar"].Size);

        // 7z and bsdtar list the whole size; bsdtar extracts the whole file with the marks in place.
        Assert.Equal(Size, (await ReferenceReaders.SevenZip(iso))["images/big.tar"].Size);
        Assert.Equal(Size, (await ReferenceReaders.Bsdtar(iso))["images/big.tar"].Size);
        await AssertExtractedByBsdtarAsync(iso, ct);
    }

    private string BuildWithLargeFile()
    {
        // A sparse source: only the marks take disk space.
        var source = Path.Combine(_directory, "big.tar");
        using (var file = new FileStream(source, FileMode.CreateNew, FileAccess.Write))
        {
            file.SetLength(Size);
            foreach (var offset in MarkOffsets)
            {
                file.Position = offset;
                file.Write(Mark(offset));
            }
        }

        var builder = new IsoBuilder { VolumeId = "B2IK_LARGE", Timestamp = Time, UseJoliet = true };
        builder.AddDirectory("images");
        builder.AddFile("images/small.txt", new BytesContent("beside the large file\n"u8.ToArray(), "small.txt"));
        builder.AddFile("images/big.tar", new FileContent(source));
        var iso = Path.Combine(_directory, "large.iso");
        builder.BuildToFile(iso, cancellationToken: TestContext.Current.CancellationToken);
        File.Delete(source);
        return iso;
    }

    private static async Task AssertExtractedByBsdtarAsync(string iso, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Requires.Tool("bsdtar")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-xOf", iso, "images/big.tar" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(ct);
        await AssertMarksAsync("bsdtar -xO", process.StandardOutput.BaseStream, ct);
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, $"bsdtar exit code {process.ExitCode}: {await errors}");
    }

    /// <summary>Reads the stream to its end: the length and every mark must be where the source had them.</summary>
    private static async Task AssertMarksAsync(string reader, Stream stream, CancellationToken ct)
    {
        var buffer = new byte[1 << 20];
        long position = 0;
        var pending = new Queue<long>(MarkOffsets);
        var mark = new List<byte>();
        while (await stream.ReadAsync(buffer, ct) is var read and > 0)
        {
            // Collect the bytes of the next mark as they pass (a mark may straddle two reads).
            for (var i = 0; i < read && pending.Count > 0; i++)
            {
                var at = position + i;
                var next = pending.Peek();
                if (at >= next && at < next + 16)
                {
                    mark.Add(buffer[i]);
                    if (mark.Count == 16)
                    {
                        Assert.True(Mark(next).AsSpan().SequenceEqual(mark.ToArray()), $"{reader}: the mark at {next} differs");
                        mark.Clear();
                        pending.Dequeue();
                    }
                }
                else if (at < next)
                {
                    i += (int)Math.Min(read - i - 1, next - at - 1);
                }
            }

            position += read;
        }

        Assert.Equal(Size, position);
        Assert.True(pending.Count == 0, $"{reader}: {pending.Count} mark(s) never seen");
    }

    /// <summary>16 bytes that say where they are, so a shifted or repeated extent shows.</summary>
    private static byte[] Mark(long offset) => System.Text.Encoding.ASCII.GetBytes($"@{offset:X14}!");

    // xorriso's report_lba: "File data lba:  0 ,  <start> ,  <blocks> ,  <bytes> , '<path>'", one line per extent.
    [GeneratedRegex(@"File data lba:\s*\d+\s*,\s*\d+\s*,\s*(?<blocks>\d+)\s*,")]
    private static partial Regex ReportedExtent();
}
