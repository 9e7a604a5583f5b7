using Boot2IsoKit.Formats.Compression;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Compression;

/// <summary>
/// The parallel xz writer (our own LZMA2 encoder) against XZ Utils: every block decodes to the input and
/// passes its CRC32, on data of every kind the encoder treats differently (text, ELF binaries, long
/// runs, incompressible bytes, sizes around the chunk limits), the output stays near xz's own size, and
/// the bytes do not depend on the parallelism.
/// </summary>
public sealed class ParallelXzStreamTests : IDisposable
{
    private const int SmallBlock = 1 << 20;

    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-pxz-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    public static TheoryData<string> Kinds => ["text", "binaries", "zeros", "random", "mixed", "one-byte", "tiny-runs"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Xz_decodes_what_we_write_and_every_block_check_passes(string kind)
    {
        Requires.Tool("xz");
        var ct = TestContext.Current.CancellationToken;
        var data = Data(kind);
        var path = await WriteAsync(data, "out.xz", maxParallelism: 2, blockSize: SmallBlock);

        var test = await ExternalTool.RunAsync("xz", ["-t", path], cancellationToken: ct);
        Assert.True(test.ExitCode == 0, test.StandardError);
        await ExternalTool.RunCheckedAsync("xz", ["-dk", path], cancellationToken: ct);
        Assert.Equal(data, await File.ReadAllBytesAsync(path[..^".xz".Length], ct));

        // xz's own listing: CRC32 checks, one block per SmallBlock of input, LZMA2 with xz -6's dictionary.
        var list = (await ExternalTool.RunCheckedAsync("xz", ["--list", "--robot", "-vv", path], cancellationToken: ct)).StandardOutput;
        var blocks = list.Split('\n').Where(l => l.StartsWith("block\t", StringComparison.Ordinal)).ToList();
        Assert.Equal((data.Length + SmallBlock - 1) / SmallBlock, blocks.Count);
        Assert.All(blocks, b => Assert.Contains("\tCRC32\t", b, StringComparison.Ordinal));
        Assert.All(blocks, b => Assert.Contains("--lzma2=dict=8MiB", b, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_output_is_within_three_percent_of_xz_6_on_real_binaries()
    {
        Requires.Tool("xz");
        var ct = TestContext.Current.CancellationToken;
        var data = Binaries(6 << 20);
        var ours = new FileInfo(await WriteAsync(data, "ours.xz", maxParallelism: 2, blockSize: ParallelXzStream.BlockSize)).Length;
        var input = Path.Combine(_scratch, "input.bin");
        await File.WriteAllBytesAsync(input, data, ct);
        await ExternalTool.RunCheckedAsync("xz", ["-6", "--check=crc32", "-k", input], cancellationToken: ct);
        var theirs = new FileInfo(input + ".xz").Length;
        var ratio = (double)ours / theirs;
        Assert.True(ratio is > 0.97 and < 1.03, $"ours {ours} bytes, xz -6 {theirs} bytes: {ratio:0.000}×");
    }

    [Fact]
    public void The_bytes_do_not_depend_on_the_parallelism()
    {
        var data = Data("mixed");
        var serial = Encode(data, maxParallelism: 1, SmallBlock / 4);
        Assert.Equal(serial, Encode(data, maxParallelism: 2, SmallBlock / 4));
        Assert.Equal(serial, Encode(data, maxParallelism: 8, SmallBlock / 4));
    }

    [Fact]
    public async Task No_input_is_a_valid_empty_stream()
    {
        Requires.Tool("xz");
        var path = await WriteAsync([], "empty.xz", maxParallelism: 1, blockSize: SmallBlock);
        var result = await ExternalTool.RunAsync("xz", ["-dc", path], cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public void A_cancelled_stream_stops_its_blocks_and_writes_nothing_more()
    {
        using var cancellation = new CancellationTokenSource();
        using var output = new MemoryStream();
        var data = Data("binaries");
        var stream = new ParallelXzStream(output, leaveOpen: true, maxParallelism: 2, blockSize: SmallBlock, cancellationToken: cancellation.Token);
        stream.Write(data);
        cancellation.Cancel();
        var started = System.Diagnostics.Stopwatch.StartNew();
        stream.Dispose();
        var written = output.Length;
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"Dispose took {started.Elapsed} after the cancellation");
        Assert.Throws<ObjectDisposedException>(() => stream.Write(data));
        Assert.Equal(written, output.Length);
        Assert.False(IsCompleteXz(output.ToArray()), "a cancelled stream must not end like a complete one");
    }

    /// <summary>The stream footer's magic: only a finished stream has it.</summary>
    private static bool IsCompleteXz(byte[] bytes) => bytes.Length >= 12 && bytes[^2] == 'Y' && bytes[^1] == 'Z';

    private async Task<string> WriteAsync(byte[] data, string name, int maxParallelism, int blockSize)
    {
        var path = Path.Combine(_scratch, name);
        await File.WriteAllBytesAsync(path, Encode(data, maxParallelism, blockSize), TestContext.Current.CancellationToken);
        return path;
    }

    private static byte[] Encode(byte[] data, int maxParallelism, int blockSize)
    {
        using var output = new MemoryStream();
        using (var xz = new ParallelXzStream(output, leaveOpen: true, maxParallelism: maxParallelism, blockSize: blockSize))
        {
            // In uneven pieces, as a cpio writer gives them.
            for (var (offset, piece) = (0, 1); offset < data.Length; offset += piece, piece = (piece * 7 % 65521) + 1)
            {
                xz.Write(data.AsSpan(offset, Math.Min(piece, data.Length - offset)));
            }
        }

        return output.ToArray();
    }

    private static byte[] Data(string kind)
    {
        var random = new Random(kind.Length);
        switch (kind)
        {
            case "text":
                return Text(3 << 20, random);
            case "binaries":
                return Binaries(3 << 20);
            case "zeros":
                // Longer than one chunk may hold uncompressed (2 MiB): the chunk must end on its size.
                return new byte[(5 << 20) + 3];
            case "random":
                // Incompressible: stored chunks, then LZMA chunks after them must reset the state.
                var noise = new byte[(2 << 20) + 12345];
                random.NextBytes(noise);
                Array.Copy(Text(300_000, random), 0, noise, 1 << 20, 300_000);
                return noise;
            case "mixed":
                return [.. Text(400_000, random), .. Binaries(1 << 20), .. new byte[70_000], .. Bytes(200_000, random), .. Text(300_000, random)];
            case "one-byte":
                return [42];
            default:
                // Short repeats at every distance: rep matches of all four kinds and short reps.
                var runs = new byte[1 << 20];
                for (var i = 0; i < runs.Length; i++)
                {
                    runs[i] = (byte)((i % 3 == 0 ? i / 7 : i / 5) % 13);
                }

                return runs;
        }
    }

    private static byte[] Bytes(int length, Random random)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Text(int length, Random random) => SampleText.Words(length, random, vocabulary: 500, longestWord: 10);

    /// <summary>Up to <paramref name="length"/> bytes of this machine's ELF programs and libraries, in name order.</summary>
    private static byte[] Binaries(int length)
    {
        var data = new List<byte>(length);
        foreach (var file in Directory.EnumerateFiles("/usr/bin").Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            if (info.LinkTarget is null && info.Length is > 4096 and < 4 << 20 && IsElf(file))
            {
                data.AddRange(File.ReadAllBytes(file).Take(length - data.Count));
                if (data.Count >= length)
                {
                    break;
                }
            }
        }

        Assert.True(data.Count >= length / 2, $"only {data.Count} bytes of ELF files in /usr/bin");
        return [.. data];
    }

    private static bool IsElf(string file)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(file);
        return stream.Read(magic) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }
}
