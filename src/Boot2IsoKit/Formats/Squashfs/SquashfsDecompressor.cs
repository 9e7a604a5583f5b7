using System.Buffers.Binary;
using System.IO.Compression;
using Boot2IsoKit.Plumbing.Errors;
using K4os.Compression.LZ4;
using SharpCompress.Compressors.LZMA;
using SharpCompress.Compressors.Xz;
using SharpCompress.Compressors.ZStandard;

namespace Boot2IsoKit.Formats.Squashfs;

/// <summary>
/// Decodes one squashfs block (a metadata block or a data block) with the image's compressor, into a
/// buffer of a known capacity: a block that decodes to more than the capacity is an error, never a larger
/// allocation. The stream formats are squashfs-tools' wrappers: gzip is a zlib stream (gzip_wrapper.c),
/// xz a whole .xz stream (xz_wrapper.c; BCJ filters are in the stream's header), lzma the legacy
/// 13-byte-header .lzma (lzma_wrapper.c), lz4 a raw LZ4 block (lz4_wrapper.c, LZ4_LEGACY), zstd one frame.
/// lzo is refused: no managed decoder is available (IronCompress wraps a native library).
/// </summary>
internal sealed class SquashfsDecompressor
{
    private const int LzmaHeaderSize = 13;

    private readonly SquashfsCompression _compression;

    private SquashfsDecompressor(SquashfsCompression compression) => _compression = compression;

    public SquashfsCompression Compression => _compression;

    /// <summary>The decoder for a superblock's compressor, or a typed error naming a compressor that is not decoded.</summary>
    public static SquashfsDecompressor For(SquashfsCompression compression, string input) => compression switch
    {
        SquashfsCompression.Lzo => throw new InvalidSquashfsException(input, "superblock",
            "compressed with lzo, which this reader does not decode (no managed lzo decoder is available); "
            + "repack it with gzip, xz, lzma, lz4 or zstd (for example: unsquashfs, then mksquashfs -comp xz)"),
        _ => new SquashfsDecompressor(compression),
    };

    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/> and returns the decoded length.</summary>
    /// <exception cref="InvalidDataException">The block is corrupt or decodes to more than the destination holds; the caller adds the place.</exception>
    public int Decompress(byte[] source, Span<byte> destination)
    {
        try
        {
            return _compression switch
            {
                SquashfsCompression.Gzip => ReadAll(new ZLibStream(new MemoryStream(source, writable: false), CompressionMode.Decompress), destination),
                SquashfsCompression.Xz => ReadAll(new XZStream(new MemoryStream(source, writable: false)), destination),
                SquashfsCompression.Zstd => ReadAll(new DecompressionStream(new MemoryStream(source, writable: false)), destination),
                SquashfsCompression.Lzma => DecompressLzma(source, destination),
                SquashfsCompression.Lz4 => DecompressLz4(source, destination),
                _ => throw new InvalidOperationException($"no decoder for {_compression}"),
            };
        }
        catch (Exception e) when (e is not InvalidDataException && MalformedInput.IsFromDecoder(e))
        {
            throw new InvalidDataException($"corrupt {_compression} block: {e.Message}", e);
        }
    }

    private static int DecompressLzma(byte[] source, Span<byte> destination)
    {
        if (source.Length < LzmaHeaderSize)
        {
            throw new InvalidDataException($"lzma block of {source.Length} bytes is shorter than its {LzmaHeaderSize}-byte header");
        }

        if (source[0] >= 9 * 5 * 5)
        {
            throw new InvalidDataException($"lzma properties byte 0x{source[0]:X2} is invalid");
        }

        // lzma_wrapper.c writes the decoded size into the header; a stream-style -1 never appears here.
        var size = BinaryPrimitives.ReadUInt64LittleEndian(source.AsSpan(5));
        if (size > (ulong)destination.Length)
        {
            throw new InvalidDataException($"lzma block claims {size} decoded bytes, more than the {destination.Length} a block holds");
        }

        using var input = new MemoryStream(source, LzmaHeaderSize, source.Length - LzmaHeaderSize, writable: false);
        using var lzma = LzmaStream.Create(source[..5], input, source.Length - LzmaHeaderSize, (long)size, leaveOpen: true);
        var read = ReadAll(lzma, destination[..(int)size]);
        if (read != (int)size)
        {
            throw new InvalidDataException($"lzma block decodes to {read} bytes, its header says {size}");
        }

        return read;
    }

    private static int DecompressLz4(byte[] source, Span<byte> destination)
    {
        var decoded = LZ4Codec.Decode(source, destination);
        if (decoded < 0)
        {
            throw new InvalidDataException($"corrupt lz4 block (or it decodes to more than {destination.Length} bytes)");
        }

        return decoded;
    }

    /// <summary>Reads the decoder to its end; one byte beyond the destination is an error.</summary>
    private static int ReadAll(Stream decoder, Span<byte> destination)
    {
        using (decoder)
        {
            var total = 0;
            while (total < destination.Length)
            {
                var read = decoder.Read(destination[total..]);
                if (read == 0)
                {
                    return total;
                }

                total += read;
            }

            Span<byte> probe = stackalloc byte[1];
            if (decoder.Read(probe) != 0)
            {
                throw new InvalidDataException($"the block decodes to more than {destination.Length} bytes");
            }

            return total;
        }
    }
}
