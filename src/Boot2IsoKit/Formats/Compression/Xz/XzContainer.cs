using System.Buffers.Binary;
using System.IO.Hashing;

namespace Boot2IsoKit.Formats.Compression.Xz;

/// <summary>
/// The parts of an .xz stream around the compressed data (xz-file-format.txt 1.2.1, from the XZ Utils
/// project): the stream header and footer, block headers with one LZMA2 filter, and the index. Only what
/// Boot2IsoKit writes: CRC32 checks, the one integrity check the kernel's XZ Embedded decoder always
/// accepts (Linux's Documentation/staging/xz.rst).
/// </summary>
internal static class XzContainer
{
    public const int CheckSize = 4;

    private const byte CheckCrc32 = 0x01;
    private const byte FilterLzma2 = 0x21;

    private static ReadOnlySpan<byte> HeaderMagic => [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00];

    /// <summary>Magic, stream flags (CRC32 checks) and the flags' CRC32.</summary>
    public static byte[] StreamHeader()
    {
        var header = new byte[12];
        HeaderMagic.CopyTo(header);
        header[7] = CheckCrc32;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Crc32.HashToUInt32(header.AsSpan(6, 2)));
        return header;
    }

    /// <summary>
    /// A block header that states both sizes (as xz's multi-threaded encoder writes them) and one LZMA2
    /// filter whose dictionary is <paramref name="dictionarySize"/> (a power of two of at least 4 KiB).
    /// </summary>
    public static byte[] BlockHeader(long compressedSize, long uncompressedSize, int dictionarySize)
    {
        var fields = new List<byte> { 0, 0x40 | 0x80 };
        WriteNumber(fields, compressedSize);
        WriteNumber(fields, uncompressedSize);
        fields.Add(FilterLzma2);
        WriteNumber(fields, 1);
        fields.Add(DictionaryByte(dictionarySize));
        while ((fields.Count + CheckSize) % 4 != 0)
        {
            fields.Add(0);
        }

        var header = new byte[fields.Count + CheckSize];
        fields.CopyTo(header);
        header[0] = (byte)((header.Length / 4) - 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(fields.Count), Crc32.HashToUInt32(header.AsSpan(0, fields.Count)));
        return header;
    }

    /// <summary>Zero bytes that bring a block's compressed data to a multiple of four.</summary>
    public static int BlockPadding(long compressedSize) => (int)((4 - (compressedSize % 4)) % 4);

    /// <summary>The index: per block its unpadded size (header, data, check) and its uncompressed size.</summary>
    public static byte[] Index(IReadOnlyList<(long UnpaddedSize, long UncompressedSize)> records)
    {
        var index = new List<byte> { 0x00 };
        WriteNumber(index, records.Count);
        foreach (var (unpadded, uncompressed) in records)
        {
            WriteNumber(index, unpadded);
            WriteNumber(index, uncompressed);
        }

        while (index.Count % 4 != 0)
        {
            index.Add(0);
        }

        var bytes = new byte[index.Count + CheckSize];
        index.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(index.Count), Crc32.HashToUInt32(bytes.AsSpan(0, index.Count)));
        return bytes;
    }

    /// <summary>The footer: CRC32, the index size (in 4-byte units, minus one), the stream flags, "YZ".</summary>
    public static byte[] StreamFooter(int indexSize)
    {
        var footer = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(footer.AsSpan(4), (uint)((indexSize / 4) - 1));
        footer[9] = CheckCrc32;
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32.HashToUInt32(footer.AsSpan(4, 6)));
        footer[10] = (byte)'Y';
        footer[11] = (byte)'Z';
        return footer;
    }

    /// <summary>LZMA2's dictionary byte: size = (2 | (b &amp; 1)) &lt;&lt; (b / 2 + 11).</summary>
    private static byte DictionaryByte(int dictionarySize)
    {
        for (var b = 0; b < 40; b++)
        {
            if ((2L | (b & 1L)) << ((b / 2) + 11) >= dictionarySize)
            {
                return (byte)b;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(dictionarySize), dictionarySize, "larger than LZMA2 can state");
    }

    /// <summary>xz's variable-length integers: 7 bits per byte, least significant first.</summary>
    private static void WriteNumber(List<byte> output, long value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }
}
