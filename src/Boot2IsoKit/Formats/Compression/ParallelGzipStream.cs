using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Boot2IsoKit.Formats.Compression;

/// <summary>
/// A write-only stream that gzips on several cores and still writes one ordinary gzip member (RFC 1952),
/// which every reader takes: the kernel's initramfs unpacker, gzip, our own initrd reader. The input is
/// cut into fixed <see cref="BlockSize"/> blocks; each is deflated on its own (no back-references into
/// the previous block, a fraction of a percent in size) and ended with a sync flush, which leaves it
/// byte-aligned and not final, so the blocks concatenate into one deflate stream; the last block ends
/// it. The bytes depend only on the input and the level, never on the number of cores (reproducible builds).
/// </summary>
internal sealed class ParallelGzipStream : WriteOnlyStream
{
    /// <summary>Uncompressed bytes per independently deflated block.</summary>
    public const int BlockSize = 1 << 20;

    private readonly Stream _output;
    private readonly CompressionLevel _level;
    private readonly bool _leaveOpen;
    private readonly OrderedBlockWriter _blocks;
    private readonly Crc32 _crc = new();
    private readonly ArrayPool<byte> _pool;
    private byte[] _block;
    private int _blockLength;
    private long _totalLength;
    private bool _finished;

    /// <param name="maxParallelism">Blocks compressed at once (default: the processor count); it changes the speed, never the bytes.</param>
    /// <param name="pool">Where blocks are rented (default: the shared pool; tests count what goes back).</param>
    public ParallelGzipStream(Stream output, CompressionLevel level, bool leaveOpen = false, int? maxParallelism = null, ArrayPool<byte>? pool = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _pool = pool ?? ArrayPool<byte>.Shared;
        _output = output;
        _level = level;
        _leaveOpen = leaveOpen;
        _blocks = new OrderedBlockWriter(output, maxParallelism);
        _block = _pool.Rent(BlockSize);
        WriteHeader();
    }

    public override bool CanWrite => !_finished;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _crc.Append(buffer);
        _totalLength += buffer.Length;
        while (buffer.Length > 0)
        {
            var count = Math.Min(buffer.Length, BlockSize - _blockLength);
            buffer[..count].CopyTo(_block.AsSpan(_blockLength));
            _blockLength += count;
            buffer = buffer[count..];
            if (_blockLength == BlockSize)
            {
                Submit(final: false);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            try
            {
                Submit(final: true);
                _blocks.Drain();

                Span<byte> trailer = stackalloc byte[8];
                BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc.GetCurrentHashAsUInt32());
                BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)_totalLength));
                _output.Write(trailer);
            }
            finally
            {
                _finished = true;
                if (!_leaveOpen)
                {
                    _output.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    private void WriteHeader()
    {
        // Magic, deflate, no flags, mtime 0 (no clock in the output), extra flags for the level, OS 3 (Unix).
        var extraFlags = _level == CompressionLevel.SmallestSize ? (byte)2 : _level == CompressionLevel.Fastest ? (byte)4 : (byte)0;
        _output.Write([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, extraFlags, 0x03]);
    }

    private void Submit(bool final)
    {
        // The block belongs to its task from here on (the task returns it to the pool): the stream lets go of it before
        // Enqueue, which may throw (the output failed) after starting the task; holding on would return it twice.
        var block = _block;
        var length = _blockLength;
        var level = _level;
        var pool = _pool;
        _block = final ? [] : _pool.Rent(BlockSize);
        _blockLength = 0;
        _blocks.Enqueue(() => Deflate(block, length, level, final, pool));
    }

    private static EncodedBlock Deflate(byte[] block, int length, CompressionLevel level, bool final, ArrayPool<byte> pool)
    {
        try
        {
            if (length == 0 && final)
            {
                // A DeflateStream that was given nothing writes nothing; the stream still needs its final
                // block: an empty fixed-Huffman block (BFINAL=1, BTYPE=01, end-of-block code), what zlib writes.
                return new EncodedBlock([0x03, 0x00], 2);
            }

            using var compressed = new PooledBufferStream(pool, length / 2);
            int flushed;
            using (var deflate = new DeflateStream(compressed, level, leaveOpen: true))
            {
                deflate.Write(block, 0, length);
                // A sync flush: the block's data, then an empty stored block, byte-aligned and not final.
                deflate.Flush();
                flushed = compressed.Written;
            }

            // Disposing added the final (empty) block: only the stream's last block keeps it.
            return compressed.Detach(final ? compressed.Written : flushed);
        }
        finally
        {
            pool.Return(block);
        }
    }
}
