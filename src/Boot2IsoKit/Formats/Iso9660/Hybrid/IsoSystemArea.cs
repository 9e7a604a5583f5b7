using System.Buffers.Binary;

namespace Boot2IsoKit.Formats.Iso9660.Hybrid;

/// <summary>An MBR partition table entry (16 bytes at 446 + 16·n).</summary>
internal sealed record MbrPartition(byte Status, byte Type, uint StartLba, uint SectorCount, byte[] StartChs, byte[] EndChs);

/// <summary>
/// Bytes 0..32767 of an image (ECMA-119 System Area) and, when it holds an isohybrid MBR, the fields
/// ISOLINUX's isohdpfx code uses: the boot LBA at 432 (512-byte units), the disk signature, partition 1.
/// </summary>
internal sealed class IsoSystemArea
{
    public const int Size = 32768;

    internal IsoSystemArea(byte[] bytes)
    {
        Bytes = bytes;
        HasMbrSignature = bytes[510] == 0x55 && bytes[511] == 0xAA;
        BootLba512 = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(432));
        DiskSignature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(440));
        var entry = bytes.AsSpan(446, 16);
        Partition1 = HasMbrSignature && entry[4] != 0
            ? new MbrPartition(entry[0], entry[4], BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]), BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]), entry[1..4].ToArray(), entry[5..8].ToArray())
            : null;
    }

    public ReadOnlyMemory<byte> Bytes { get; }

    public bool HasMbrSignature { get; }

    /// <summary>The isohybrid boot LBA (bytes 432..439): isolinux.bin's 2048-byte LBA × 4.</summary>
    public ulong BootLba512 { get; }

    public uint DiskSignature { get; }

    public MbrPartition? Partition1 { get; }

    /// <summary>True when the area looks like an isohybrid MBR (signature, a boot LBA, a partition).</summary>
    public bool IsHybrid => HasMbrSignature && BootLba512 != 0 && Partition1 is not null;
}
