using System.Buffers.Binary;
using System.Text;

namespace Boot2IsoKit.Formats.Iso9660.ElTorito;

/// <summary>El Torito structures: the Boot Record Volume Descriptor, the catalog and the boot-info-table checksum.</summary>
internal static class BootCatalog
{
    public const string BootSystemId = "EL TORITO SPECIFICATION";

    /// <summary>Size of one catalog entry (the validation entry, the default entry, ...).</summary>
    public const int EntrySize = 32;

    /// <summary>Boot indicator of a bootable default entry (0x00 means not bootable).</summary>
    public const byte Bootable = 0x88;

    public static void WriteBootRecord(Span<byte> sector, uint catalogLba)
    {
        sector.Clear();
        sector[0] = 0;
        "CD001"u8.CopyTo(sector[1..]);
        sector[6] = 1;
        Encoding.ASCII.GetBytes(BootSystemId, sector[7..]); // zero padded, never space padded (isohybrid checks it)
        BinaryPrimitives.WriteUInt32LittleEndian(sector[0x47..], catalogLba);
    }

    /// <summary>Type 0, "CD001" and the El Torito boot system identifier (zero- or space-padded).</summary>
    public static bool IsBootRecord(ReadOnlySpan<byte> sector) =>
        IsoSignature.IsVolumeDescriptor(sector, IsoSignature.BootRecordType) && sector.Length >= 0x4B && BootSystemIdOf(sector) == BootSystemId;

    /// <summary>The boot system identifier of a boot record (bytes 7..38), padding removed.</summary>
    public static string BootSystemIdOf(ReadOnlySpan<byte> bootRecord) =>
        Encoding.ASCII.GetString(bootRecord.Slice(7, 32)).TrimEnd('\0', ' ');

    /// <summary>The LBA of the boot catalog a boot record points at (byte 0x47).</summary>
    public static uint CatalogLbaOf(ReadOnlySpan<byte> bootRecord) => BinaryPrimitives.ReadUInt32LittleEndian(bootRecord[0x47..]);

    /// <summary>
    /// The catalog's first 32 bytes are a valid Validation Entry: header ID 1, key bytes 55 AA, and all sixteen
    /// little-endian words summing to zero.
    /// </summary>
    public static bool HasValidationEntry(ReadOnlySpan<byte> catalog) =>
        catalog.Length >= 2 * EntrySize && catalog[0] == 1 && catalog[30] == 0x55 && catalog[31] == 0xAA && WordSum(catalog[..EntrySize]) == 0;

    /// <summary>The Default Entry (catalog bytes 32..63), the one a BIOS boots.</summary>
    public static ReadOnlySpan<byte> DefaultEntry(ReadOnlySpan<byte> catalog) => catalog.Slice(EntrySize, EntrySize);

    /// <summary>Validation entry (platform, checksum, 55 AA) followed by the default entry.</summary>
    public static void WriteCatalog(Span<byte> sector, byte platform, byte media, ushort loadSegment, ushort loadSize, uint loadRba)
    {
        sector.Clear();
        sector[0] = 1;
        sector[1] = platform;
        sector[30] = 0x55;
        sector[31] = 0xAA;
        BinaryPrimitives.WriteUInt16LittleEndian(sector[28..], (ushort)(0 - WordSum(sector[..32])));
        var entry = sector[32..];
        entry[0] = Bootable;
        entry[1] = media;
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], loadSegment);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[6..], loadSize);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], loadRba);
    }

    public static ushort WordSum(ReadOnlySpan<byte> entry)
    {
        ushort sum = 0;
        for (var i = 0; i < entry.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16LittleEndian(entry[i..]);
        }

        return sum;
    }

    /// <summary>Adds the little-endian dwords of a chunk to a running boot-info-table checksum.</summary>
    public static uint AddToChecksum(uint checksum, ReadOnlySpan<byte> chunkOfWholeDwords)
    {
        for (var i = 0; i + 4 <= chunkOfWholeDwords.Length; i += 4)
        {
            checksum += BinaryPrimitives.ReadUInt32LittleEndian(chunkOfWholeDwords[i..]);
        }

        return checksum;
    }

    /// <summary>Sum of dwords from byte 64 to the end of the stream, last dword zero-padded.</summary>
    public static uint ChecksumFrom64(Stream content, long length)
    {
        var buffer = new byte[1 << 16];
        Span<byte> last = stackalloc byte[4];
        uint checksum = 0;
        long position = 0;
        while (position < length)
        {
            var want = (int)Math.Min(buffer.Length, length - position);
            var read = content.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            if (read == 0)
            {
                break;
            }

            // Chunks are multiples of 4 except the last, and start 4-aligned: position is a multiple of 65536.
            var chunk = buffer.AsSpan(0, read);
            var start = position < 64 ? (int)Math.Min(64 - position, read) : 0;
            var whole = (read - start) & ~3;
            checksum = AddToChecksum(checksum, chunk.Slice(start, whole));
            if (whole < read - start)
            {
                last.Clear();
                chunk[(start + whole)..].CopyTo(last);
                checksum = AddToChecksum(checksum, last);
            }

            position += read;
        }

        return checksum;
    }
}
