using System.Buffers;
using System.IO.Compression;
using Boot2IsoKit.Formats.Compression;

namespace Boot2IsoKit.Tests.Formats.Compression;

/// <summary>
/// The parallel compressors rent their blocks from a shared pool and hand each block to the task that encodes it. When
/// the output fails (a full disk), every block must still go back exactly once: one returned twice is later rented to
/// two users at once, and then another build's bytes change under it (which two runs of the same build showed in CI).
/// </summary>
public sealed class PooledBufferTests
{
    [Fact]
    public void A_failing_output_returns_every_gzip_block_exactly_once() =>
        AssertEveryBufferReturnedOnce("block", pool =>
        {
            using var gzip = new ParallelGzipStream(new FailingStream(1000), CompressionLevel.Fastest, maxParallelism: 1, pool: pool);
            gzip.Write(Data(6 * ParallelGzipStream.BlockSize));
        });

    [Fact]
    public void A_failing_output_returns_every_lzma_chunk_exactly_once() =>
        AssertEveryBufferReturnedOnce("chunk", pool =>
        {
            var data = Data(3 << 20);
            using var lzma = new ParallelLzmaStream(new FailingStream(100), maxParallelism: 1, memberSize: 1 << 20, pool: pool);
            for (var offset = 0; offset < data.Length; offset += 1 << 19)
            {
                lzma.Write(data.AsSpan(offset, 1 << 19));
                lzma.MarkCutPoint();
            }
        });

    [Fact]
    public void A_failing_output_returns_every_xz_block_exactly_once() =>
        AssertEveryBufferReturnedOnce("block", pool =>
        {
            using var xz = new ParallelXzStream(new FailingStream(100), maxParallelism: 1, blockSize: 1 << 19, pool: pool);
            xz.Write(Data(3 << 20));
        });

    /// <summary>Runs a write whose output fails, then checks every buffer it rented went back to the pool once.</summary>
    private static void AssertEveryBufferReturnedOnce(string buffer, Action<ArrayPool<byte>> writeToFailingOutput)
    {
        var pool = new TrackingPool();

        Assert.ThrowsAny<IOException>(() => writeToFailingOutput(pool));

        Assert.True(pool.Rented >= 2, $"only {pool.Rented} {buffer} was rented: the output failed before a {buffer} was handed to an encoder");
        pool.WaitUntilAllReturned();
        Assert.Empty(pool.ReturnedTwice);
        Assert.Equal(0, pool.Outstanding);
    }

    private static byte[] Data(int length)
    {
        var data = new byte[length];
        new Random(42).NextBytes(data.AsSpan(0, length / 2)); // half incompressible, half zeros: a real mix
        return data;
    }

    /// <summary>Hands out fresh arrays and records every one given back that was not out (a second return).</summary>
    private sealed class TrackingPool : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);
        private readonly Lock _gate = new();

        public List<byte[]> ReturnedTwice { get; } = [];

        public int Rented { get; private set; }

        public int Outstanding
        {
            get
            {
                lock (_gate)
                {
                    return _out.Count;
                }
            }
        }

        public override byte[] Rent(int minimumLength)
        {
            var array = new byte[minimumLength];
            lock (_gate)
            {
                _out.Add(array);
                Rented++;
            }

            return array;
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            lock (_gate)
            {
                if (!_out.Remove(array))
                {
                    ReturnedTwice.Add(array);
                }
            }
        }

        /// <summary>
        /// Encoders still running after the failure give their blocks back when they end; a second encoder of the same
        /// block may end after everything is back once, so a second passes after that before the returns are judged.
        /// </summary>
        public void WaitUntilAllReturned()
        {
            for (var i = 0; i < 200 && Outstanding > 0; i++)
            {
                Thread.Sleep(50);
            }

            Thread.Sleep(1000);
        }
    }

    /// <summary>An output that takes a few bytes, then fails as a full disk does.</summary>
    private sealed class FailingStream(long capacity) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > capacity)
            {
                throw new IOException("No space left on device");
            }

            _written += buffer.Length;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
