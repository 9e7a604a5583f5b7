using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using Boot2IsoKit.Formats.Compression.Lzma2;
using Boot2IsoKit.Formats.Compression.Xz;

namespace Boot2IsoKit.Formats.Compression;

/// <summary>
/// A write-only stream that writes one .xz stream of independent LZMA2 blocks, encoded on several cores
/// and written in order, with CRC32 checks: what "xz -T0 --check=crc32" writes, and what the kernel's
/// initramfs unpacker reads (lib/decompress_unxz.c; CRC32 is the check it always accepts). Blocks may end
/// anywhere, so unlike <see cref="ParallelLzmaStream"/> no cut points are needed. The bytes depend only on
/// the input, never on the number of cores (reproducible builds).
/// </summary>
internal sealed class ParallelXzStream : WriteOnlyStream
{
    /// <summary>"xz -6"'s dictionary: the decoder allocates it once per block.</summary>
    public const int DictionarySize = 8 << 20;

    /// <summary>"xz -T0"'s block size for -6: three times the dictionary.</summary>
    public const int BlockSize = 3 * DictionarySize;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly int _blockSize;
    private readonly CancellationToken _cancellationToken;
    private readonly OrderedBlockWriter _blocks;
    private readonly ArrayPool<byte> _pool;
    private readonly List<BlockRecord> _records = [];
    private byte[]? _block;
    private int _blockLength;
    private bool _finished;

    /// <param name="maxParallelism">Blocks compressed at once (default: the processor count); it changes the speed, never the bytes.</param>
    /// <param name="blockSize">Uncompressed bytes per block (tests use small ones).</param>
    /// <param name="cancellationToken">Stops the blocks being encoded; the stream then writes nothing more.</param>
    public ParallelXzStream(Stream output, bool leaveOpen = false, int? maxParallelism = null, int blockSize = BlockSize, ArrayPool<byte>? pool = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        (_output, _leaveOpen, _blockSize, _cancellationToken) = (output, leaveOpen, blockSize, cancellationToken);
        _pool = pool ?? ArrayPool<byte>.Shared;
        _blocks = new OrderedBlockWriter(output, maxParallelism);
        _blocks.Enqueue(XzContainer.StreamHeader);
    }

    /// <summary>Blocks written so far (including those still being compressed).</summary>
    public int BlockCount => _records.Count;

    public override bool CanWrite => !_finished;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (buffer.Length > 0)
        {
            _block ??= _pool.Rent(_blockSize);
            var count = Math.Min(buffer.Length, _blockSize - _blockLength);
            buffer[..count].CopyTo(_block.AsSpan(_blockLength));
            _blockLength += count;
            buffer = buffer[count..];
            if (_blockLength == _blockSize)
            {
                Submit();
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            _finished = true;
            try
            {
                if (_cancellationToken.IsCancellationRequested)
                {
                    _blocks.Abandon();
                }
                else
                {
                    if (_blockLength > 0)
                    {
                        Submit();
                    }

                    _blocks.Drain();
                    var index = XzContainer.Index([.. _records.Select(r => (r.UnpaddedSize, r.UncompressedSize))]);
                    _output.Write(index);
                    _output.Write(XzContainer.StreamFooter(index.Length));
                }
            }
            finally
            {
                if (_block is not null)
                {
                    _pool.Return(_block);
                    _block = null;
                }

                if (!_leaveOpen)
                {
                    _output.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    private void Submit()
    {
        // The block belongs to its task from here on (it returns it to the pool): let go of it before Enqueue,
        // which may throw (the output failed) after starting the task; Dispose would return it a second time.
        var (block, length, pool, token) = (_block!, _blockLength, _pool, _cancellationToken);
        var record = new BlockRecord(length);
        _records.Add(record);
        (_block, _blockLength) = (null, 0);
        _blocks.Enqueue(() => Encode(block, length, record, pool, token));
    }

    private static byte[] Encode(byte[] block, int length, BlockRecord record, ArrayPool<byte> pool, CancellationToken cancellationToken)
    {
        try
        {
            using var data = new MemoryStream((length / 3) + 1024);
            Lzma2BlockEncoder.Encode(block, length, DictionarySize, data, cancellationToken);
            var compressed = data.GetBuffer().AsSpan(0, (int)data.Length);

            // Header, LZMA2 data, zero padding to four bytes, the CRC32 of the block's data.
            var header = XzContainer.BlockHeader(compressed.Length, length, DictionarySize);
            var checkAt = header.Length + compressed.Length + XzContainer.BlockPadding(compressed.Length);
            var encoded = new byte[checkAt + XzContainer.CheckSize];
            header.CopyTo(encoded, 0);
            compressed.CopyTo(encoded.AsSpan(header.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(checkAt), Crc32.HashToUInt32(block.AsSpan(0, length)));
            record.UnpaddedSize = header.Length + compressed.Length + XzContainer.CheckSize;
            return encoded;
        }
        finally
        {
            pool.Return(block);
        }
    }

    /// <summary>What the index says of one block; the unpadded size is known once it is encoded.</summary>
    private sealed class BlockRecord(long uncompressedSize)
    {
        public long UncompressedSize { get; } = uncompressedSize;

        public long UnpaddedSize { get; set; }
    }
}
