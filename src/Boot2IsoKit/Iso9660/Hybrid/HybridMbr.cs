using System.Buffers.Binary;

namespace Boot2IsoKit.Iso9660.Hybrid;

/// <summary>
/// isohybrid MBR (syslinux isohybrid.c / libisofs): template bytes 0..431 unmodified, then the boot LBA
/// (isolinux.bin LBA × 4), a disk signature, one bootable partition of type 0x17 covering the whole
/// image, and 55 AA. Geometry 64 heads × 32 sectors, so one cylinder is 1 MiB.
/// </summary>
internal static class HybridMbr
{
    public const int Heads = 64;
    public const int Sectors = 32;
    public const long CylinderBytes = Heads * Sectors * 512L;
    public const byte PartitionType = 0x17;

    public static void Patch(Span<byte> systemArea, uint bootImageLba, long imageBytes, uint diskSignature)
    {
        var total512 = (uint)(imageBytes / 512);
        BinaryPrimitives.WriteUInt64LittleEndian(systemArea[432..], bootImageLba * 4UL);
        BinaryPrimitives.WriteUInt32LittleEndian(systemArea[440..], diskSignature);
        systemArea[444] = 0;
        systemArea[445] = 0;
        systemArea[446..510].Clear();
        var entry = systemArea.Slice(446, 16);
        entry[0] = 0x80;
        Chs(0, entry[1..4]);
        entry[4] = PartitionType;
        Chs(total512 - 1, entry[5..8]);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], total512);
        systemArea[510] = 0x55;
        systemArea[511] = 0xAA;
    }

    /// <summary>LBA to CHS bytes (head, sector | cylinder high bits, cylinder low), clamped past 1024 cylinders.</summary>
    private static void Chs(uint lba, Span<byte> target)
    {
        var sector = (lba % Sectors) + 1;
        var track = lba / Sectors;
        var head = track % Heads;
        var cylinder = track / Heads;
        if (cylinder >= 1024)
        {
            (cylinder, head, sector) = (1023, Heads - 1, Sectors);
        }

        target[0] = (byte)head;
        target[1] = (byte)(sector | ((cylinder & 0x300) >> 2));
        target[2] = (byte)cylinder;
    }

    /// <summary>A stable, non-zero disk signature derived from the image's identity (FNV-1a).</summary>
    public static uint DiskSignature(ReadOnlySpan<byte> seed)
    {
        var hash = 2166136261u;
        foreach (var b in seed)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash == 0 ? 1 : hash;
    }
}
