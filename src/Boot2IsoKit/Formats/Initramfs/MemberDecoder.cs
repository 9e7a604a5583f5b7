using System.Buffers.Binary;
using Boot2IsoKit.Plumbing.Errors;
using SharpCompress.Compressors;
using SharpCompress.Compressors.Deflate;
using SharpCompress.Compressors.LZMA;
using SharpCompress.Compressors.Xz;
using SharpCompress.Compressors.ZStandard;

namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// Decodes one initrd member and, once its data has been read to the end, tells exactly where the
/// member ended in the initrd. That end is the hard part: decoders read ahead, so each format gets
/// the exact boundary from its own structure — gzip from the inflater's consumed-input count plus
/// the 8-byte trailer (which is then checked), legacy lzma from the range decoder's byte count (it
/// reads byte by byte), xz from its index and footer, zstd from walking its frame's block headers.
/// </summary>
internal sealed class MemberDecoder : IDisposable
{
    private readonly Stream _file;
    private readonly string _input;
    private readonly long _offset;
    private readonly InitrdCompression _compression;
    private readonly WindowStream _window;
    private readonly Stream _decoder;
    private readonly TallyStream _tally;
    private long _dataStart;
    private long _knownEnd = -1;

    private MemberDecoder(Stream file, string input, long offset, InitrdCompression compression)
    {
        _file = file;
        _input = input;
        _offset = offset;
        _compression = compression;
        _window = new WindowStream(file, offset, file.Length - offset);
        try
        {
            _decoder = OpenDecoder();
        }
        catch (Exception e) when (MalformedInput.IsFromDecoder(e))
        {
            throw Corrupt(e);
        }

        _tally = new TallyStream(this, _decoder, compression == InitrdCompression.Gzip);
    }

    /// <summary>The decompressed bytes (for <see cref="InitrdCompression.None"/>, the archive itself).</summary>
    public Stream Data => _tally;

    /// <summary>Decompressed bytes read so far.</summary>
    public long UncompressedLength => _tally.Count;

    public static InitrdCompression? Detect(ReadOnlySpan<byte> head, long offset) => head switch
    {
        [(byte)'0', (byte)'7', (byte)'0', (byte)'7', (byte)'0', ..] when (offset & 3) == 0 => InitrdCompression.None,
        [0x1F, 0x8B or 0x9E, ..] => InitrdCompression.Gzip,
        [0x42, 0x5A, ..] => InitrdCompression.Bzip2,
        [0x5D, 0x00, ..] => InitrdCompression.Lzma,
        [0xFD, 0x37, ..] => InitrdCompression.Xz,
        [0x89, 0x4C, ..] => InitrdCompression.Lzo,
        [0x02, 0x21, ..] => InitrdCompression.Lz4,
        [0x28, 0xB5, ..] => InitrdCompression.Zstd,
        _ => null,
    };

    public static MemberDecoder Open(Stream file, string input, long offset, InitrdCompression compression)
    {
        if (compression is InitrdCompression.Bzip2 or InitrdCompression.Lzo or InitrdCompression.Lz4)
        {
            throw new InvalidCpioException(input, $"offset {offset}", $"{compression} members are valid for the kernel but Boot2IsoKit does not decode them; recompress the initrd with gzip, xz or lzma");
        }

        return new MemberDecoder(file, input, offset, compression);
    }

    /// <summary>
    /// The offset just past this member. For compressed members call it after <see cref="Data"/> was read
    /// to its end; for a plain archive pass the bytes the cpio reader consumed.
    /// </summary>
    public long End(long plainArchiveLength)
    {
        try
        {
            return _compression switch
            {
                InitrdCompression.None => _offset + plainArchiveLength,
                InitrdCompression.Gzip => GzipEnd(),
                InitrdCompression.Lzma => _offset + _window.Position,
                InitrdCompression.Xz => XzEnd(),
                InitrdCompression.Zstd => _knownEnd,
                _ => throw new InvalidOperationException(),
            };
        }
        catch (Exception e) when (MalformedInput.IsFromDecoder(e))
        {
            throw Corrupt(e);
        }
    }

    public void Dispose()
    {
        _decoder.Dispose();
        _window.Dispose();
    }

    internal InvalidCpioException Corrupt(Exception e) =>
        new(_input, $"{_compression} member at offset {_offset}", $"corrupt compressed data: {e.Message}", e);

    private Stream OpenDecoder()
    {
        switch (_compression)
        {
            case InitrdCompression.None:
                return _window;
            case InitrdCompression.Gzip:
                _dataStart = SkipGzipHeader();
                _window.Position = _dataStart;
                return new DeflateStream(_window, CompressionMode.Decompress);
            case InitrdCompression.Lzma:
                var header = new byte[13];
                _window.ReadExactly(header);
                if (header[0] >= 9 * 5 * 5)
                {
                    throw new InvalidCpioException(_input, $"offset {_offset}", $"lzma properties byte 0x{header[0]:X2} is invalid");
                }

                // The size field is -1 when the initrd was compressed as a stream (boot2docker's is).
                var size = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(5));
                return LzmaStream.Create(header[..5], _window, -1, size < 0 ? -1 : size, leaveOpen: true);
            case InitrdCompression.Xz:
                return new XZStream(_window);
            case InitrdCompression.Zstd:
                _knownEnd = ZstdFrameEnd();
                return new DecompressionStream(new WindowStream(_file, _offset, _knownEnd - _offset));
            default:
                throw new InvalidOperationException();
        }
    }

    private long SkipGzipHeader()
    {
        var fixedPart = new byte[10];
        ReadHeaderBytes(fixedPart);
        if (fixedPart[0] != 0x1F || fixedPart[1] != 0x8B || fixedPart[2] != 8)
        {
            throw new InvalidCpioException(_input, $"offset {_offset}", "not a deflate gzip member (old 1F 9E gzip is not decoded)");
        }

        var flags = fixedPart[3];
        if ((flags & 0xE0) != 0)
        {
            throw new InvalidCpioException(_input, $"offset {_offset}", $"gzip header has reserved flag bits set (0x{flags:X2})");
        }

        if ((flags & 4) != 0)
        {
            var lengthBytes = new byte[2];
            ReadHeaderBytes(lengthBytes);
            _window.Position += BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes);
        }

        for (var mask = 8; mask <= 16; mask <<= 1)
        {
            if ((flags & mask) != 0)
            {
                int b;
                while ((b = _window.ReadByte()) > 0)
                {
                }

                if (b < 0)
                {
                    throw new InvalidCpioException(_input, $"offset {_offset}", "gzip header name or comment runs to the end of the input");
                }
            }
        }

        if ((flags & 2) != 0)
        {
            _window.Position += 2;
        }

        return _window.Position;
    }

    private void ReadHeaderBytes(byte[] buffer)
    {
        if (_window.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
        {
            throw new InvalidCpioException(_input, $"offset {_offset}", "truncated compressed member header");
        }
    }

    private long GzipEnd()
    {
        var deflateEnd = _dataStart + ((DeflateStream)_decoder).TotalIn;
        var trailer = new byte[8];
        _window.Position = deflateEnd;
        if (_window.ReadAtLeast(trailer, 8, throwOnEndOfStream: false) < 8)
        {
            throw new InvalidCpioException(_input, $"gzip member at offset {_offset}", "truncated: the 8-byte gzip trailer is missing");
        }

        var crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(4));
        if (crc != _tally.Crc || size != (uint)_tally.Count)
        {
            throw new InvalidCpioException(_input, $"gzip member at offset {_offset}", $"trailer says CRC32 0x{crc:X8} and {size} bytes, the data has 0x{_tally.Crc:X8} and {(uint)_tally.Count}");
        }

        return _offset + deflateEnd + 8;
    }

    private long XzEnd()
    {
        var xz = (XZStream)_decoder;
        long length = 12 + 12 + xz.Footer.BackwardSize;
        foreach (var record in xz.Index.Records)
        {
            length += ((long)record.UnpaddedSize + 3) & ~3L;
        }

        return _offset + length;
    }

    /// <summary>Walks one zstd frame's block headers (RFC 8878 §3.1.1) to find its end without decoding it.</summary>
    private long ZstdFrameEnd()
    {
        var head = new byte[6];
        ReadHeaderBytes(head);
        if (BinaryPrimitives.ReadUInt32LittleEndian(head) != 0xFD2FB528)
        {
            throw new InvalidCpioException(_input, $"offset {_offset}", "bad zstd frame magic");
        }

        var descriptor = head[4];
        if ((descriptor & 8) != 0)
        {
            throw new InvalidCpioException(_input, $"offset {_offset}", "zstd frame header has its reserved bit set");
        }

        var singleSegment = (descriptor & 0x20) != 0;
        var contentSizeFlag = descriptor >> 6;
        int[] dictionaryIdSizes = [0, 1, 2, 4];
        var position = 5L + (singleSegment ? 0 : 1) + dictionaryIdSizes[descriptor & 3]
            + contentSizeFlag switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        var blockHeader = new byte[3];
        while (true)
        {
            _window.Position = position;
            ReadHeaderBytes(blockHeader);
            var value = blockHeader[0] | (blockHeader[1] << 8) | (blockHeader[2] << 16);
            var type = (value >> 1) & 3;
            if (type == 3)
            {
                throw new InvalidCpioException(_input, $"zstd member at offset {_offset}", $"reserved block type at member offset {position}");
            }

            position += 3 + (type == 1 ? 1 : value >> 3);
            if (position > _window.Length)
            {
                throw new InvalidCpioException(_input, $"zstd member at offset {_offset}", "truncated: a block goes past the end of the input");
            }

            if ((value & 1) != 0)
            {
                break;
            }
        }

        if ((descriptor & 4) != 0)
        {
            position += 4;
        }

        if (position > _window.Length)
        {
            throw new InvalidCpioException(_input, $"zstd member at offset {_offset}", "truncated frame checksum");
        }

        _window.Position = 0;
        return _offset + position;
    }

    /// <summary>Counts (and for gzip, CRCs) the decoded bytes and turns decoder failures into typed errors.</summary>
    private sealed class TallyStream(MemberDecoder owner, Stream inner, bool computeCrc) : Boot2IsoKit.Plumbing.IO.ReadOnlyStream
    {
        private readonly System.IO.Hashing.Crc32? _crc = computeCrc ? new System.IO.Hashing.Crc32() : null;

        public long Count { get; private set; }

        public uint Crc => _crc?.GetCurrentHashAsUInt32() ?? 0;

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            int read;
            try
            {
                read = inner.Read(buffer);
            }
            catch (Exception e) when (MalformedInput.IsFromDecoder(e))
            {
                throw owner.Corrupt(e);
            }

            _crc?.Append(buffer[..read]);
            Count += read;
            return read;
        }
    }
}
