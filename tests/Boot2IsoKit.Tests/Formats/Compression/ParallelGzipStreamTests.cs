using System.IO.Compression;
using Boot2IsoKit.Formats.Compression;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Compression;

/// <summary>
/// The parallel gzip writer against gzip itself: one valid member whose content is the input, at every
/// block boundary, the same bytes whatever the parallelism, and close to single-stream gzip in size.
/// </summary>
public sealed class ParallelGzipStreamTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-pgzip-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    public static TheoryData<int> Lengths() =>
    [
        0, 1, ParallelGzipStream.BlockSize - 1, ParallelGzipStream.BlockSize, ParallelGzipStream.BlockSize + 1, (7 * ParallelGzipStream.BlockSize / 2) + 13,
    ];

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task Gzip_reads_back_the_input_from_one_member(int length)
    {
        Requires.Tool("gzip");
        var ct = TestContext.Current.CancellationToken;
        var input = Compressible(length, seed: length);
        var path = Path.Combine(_scratch, "data.gz");
        await File.WriteAllBytesAsync(path, Compress(input, maxParallelism: 4, chunk: 4099), ct);

        var test = await ExternalTool.RunAsync("gzip", ["-t", "-v", path], cancellationToken: ct);
        Assert.True(test.ExitCode == 0, test.StandardError);
        var list = await ExternalTool.RunCheckedAsync("gzip", ["-l", "-q", path], cancellationToken: ct);
        Assert.Equal(length.ToString(System.Globalization.CultureInfo.InvariantCulture), list.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        await ExternalTool.RunCheckedAsync("gzip", ["-d", "-f", path], cancellationToken: ct);
        Assert.Equal(input, await File.ReadAllBytesAsync(Path.Combine(_scratch, "data"), ct));
    }

    [Fact]
    public void The_bytes_do_not_depend_on_the_parallelism_or_the_write_sizes()
    {
        var input = Compressible((5 * ParallelGzipStream.BlockSize) + 777, seed: 7);
        var serial = Compress(input, maxParallelism: 1, chunk: input.Length);
        Assert.Equal(serial, Compress(input, maxParallelism: 2, chunk: 65536));
        Assert.Equal(serial, Compress(input, maxParallelism: 16, chunk: 1));
    }

    [Fact]
    public void The_size_is_within_one_percent_of_single_stream_gzip()
    {
        var input = Compressible(6 * ParallelGzipStream.BlockSize, seed: 3);
        using var single = new MemoryStream();
        using (var gzip = new GZipStream(single, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(input);
        }

        var parallel = Compress(input, maxParallelism: 2, chunk: input.Length);
        Assert.InRange(parallel.Length, single.Length * 0.9, single.Length * 1.01);
        using var decoded = new MemoryStream();
        using (var gunzip = new GZipStream(new MemoryStream(parallel), CompressionMode.Decompress))
        {
            gunzip.CopyTo(decoded);
        }

        Assert.Equal(input, decoded.ToArray());
    }

    private static byte[] Compress(byte[] input, int maxParallelism, int chunk)
    {
        using var output = new MemoryStream();
        using (var gzip = new ParallelGzipStream(output, CompressionLevel.SmallestSize, leaveOpen: true, maxParallelism: maxParallelism))
        {
            for (var offset = 0; offset < input.Length; offset += chunk)
            {
                gzip.Write(input, offset, Math.Min(chunk, input.Length - offset));
            }
        }

        return output.ToArray();
    }

    private static byte[] Compressible(int length, int seed) => SampleText.Words(length, new Random(seed));
}
