using System.Buffers.Binary;

namespace Boot2IsoKit.Formats.Squashfs;

/// <summary>
/// The metadata blocks of an image (inode, directory, fragment and id tables): each is a 16-bit header
/// (bit 15 set: stored uncompressed; low 15 bits: size on disk) followed by at most 8 KiB once decoded
/// (squashfs_fs.h SQUASHFS_METADATA_SIZE). Decoded blocks are kept, keyed by their position, under a
/// total budget, so a hostile image that decodes to gigabytes of metadata fails instead of exhausting memory.
/// </summary>
internal sealed class SquashfsMetadata
{
    public const int BlockSize = 8192;

    /// <summary>Decoded metadata held at once: Tiny Core's largest extensions need a few MiB.</summary>
    public const long MaxDecodedBytes = 128L << 20;

    private readonly SquashfsImage _image;
    private readonly Dictionary<long, MetadataBlock> _blocks = [];
    private long _decodedBytes;

    public SquashfsMetadata(SquashfsImage image) => _image = image;

    /// <summary>The decoded block stored at <paramref name="position"/>, whose stored bytes must end by <paramref name="limit"/>.</summary>
    public MetadataBlock Block(long position, long limit, string what)
    {
        if (_blocks.TryGetValue(position, out var cached))
        {
            return cached;
        }

        if (position < 0 || position + 2 > limit)
        {
            throw _image.Error(what, $"metadata block at {position} lies outside its table (which ends at {limit})");
        }

        Span<byte> header = stackalloc byte[2];
        _image.ReadExactly(position, header, what);
        var word = BinaryPrimitives.ReadUInt16LittleEndian(header);
        var stored = word & 0x7FFF;
        var compressed = (word & 0x8000) == 0;
        if (stored == 0 || stored > BlockSize)
        {
            throw _image.Error(what, $"metadata block at {position} has a stored size of {stored} (1..{BlockSize})");
        }

        if (position + 2 + stored > limit)
        {
            throw _image.Error(what, $"metadata block at {position} ({stored} bytes) runs past the end of its table at {limit}");
        }

        var raw = new byte[stored];
        _image.ReadExactly(position + 2, raw, what);
        byte[] data;
        if (compressed)
        {
            var decoded = new byte[BlockSize];
            var length = _image.Decode(raw, decoded, $"{what}: metadata block at {position}");
            data = length == BlockSize ? decoded : decoded[..length];
        }
        else
        {
            data = raw;
        }

        _decodedBytes += data.Length;
        if (_decodedBytes > MaxDecodedBytes)
        {
            throw _image.Error(what, $"the image's metadata decodes to more than {MaxDecodedBytes >> 20} MiB (a bomb, or far larger than any extension)");
        }

        var block = new MetadataBlock(data, position + 2 + stored);
        _blocks[position] = block;
        return block;
    }

    /// <summary>A reader over consecutive metadata blocks from (block, offset), for records that cross block boundaries.</summary>
    public Cursor At(long block, int offset, long limit, string what) => new(this, block, offset, limit, what);

    internal sealed record MetadataBlock(byte[] Data, long Next);

    internal sealed class Cursor
    {
        private readonly SquashfsMetadata _metadata;
        private readonly long _limit;
        private readonly string _what;
        private long _block;
        private int _offset;

        public Cursor(SquashfsMetadata metadata, long block, int offset, long limit, string what)
        {
            _metadata = metadata;
            _block = block;
            _offset = offset;
            _limit = limit;
            _what = what;
            if (offset >= metadata.Block(block, limit, what).Data.Length)
            {
                throw metadata._image.Error(what, $"offset {offset} lies past the end of the metadata block at {block}");
            }
        }

        public void Read(Span<byte> destination)
        {
            while (destination.Length > 0)
            {
                var block = _metadata.Block(_block, _limit, _what);
                if (_offset >= block.Data.Length)
                {
                    // Only a table's last block is short; reading on from it reads the next table's bytes, which the limit stops.
                    _block = block.Next;
                    _offset = 0;
                    continue;
                }

                var count = Math.Min(destination.Length, block.Data.Length - _offset);
                block.Data.AsSpan(_offset, count).CopyTo(destination);
                destination = destination[count..];
                _offset += count;
            }
        }

        public ushort UInt16()
        {
            Span<byte> bytes = stackalloc byte[2];
            Read(bytes);
            return BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        }

        public uint UInt32()
        {
            Span<byte> bytes = stackalloc byte[4];
            Read(bytes);
            return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        }

        public ulong UInt64()
        {
            Span<byte> bytes = stackalloc byte[8];
            Read(bytes);
            return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        }
    }
}
