using System.Buffers.Binary;

namespace Boot2IsoKit.Formats.Iso9660.Hybrid;

/// <summary>
/// isohybrid MBR (syslinux isohybrid.c / libisofs): template bytes 0..431 unmodified, then the boot LBA
/// (isolinux.bin LBA × 4), a disk signature, one bootable partition of type 0x17 covering the whole
/// image, and 55 AA. Geometry 64 heads × 32 sectors (one cylinder = 1 MiB) up to 1024 cylinders.
/// </summary>
internal static class HybridMbr
{
    public const byte PartitionType = 0x17;
    private const int DefaultHeads = 64;
    private const int MaxCylinders = 1024;

    /// <summary>
    /// Disk geometry for an image of this size: 64 × 32 while 1024 cylinders suffice; beyond that more
    /// heads (32 sectors, then 63 sectors), so that BIOSes limited to 1024 cylinders still reach the
    /// whole image, as libisofs does. A cylinder is always a whole number of 2048-byte blocks.
    /// </summary>
    public static (int Heads, int Sectors) Geometry(long imageBytes)
    {
        var sectors512 = (imageBytes + 511) / 512;
        foreach (var sectors in (ReadOnlySpan<int>)[32, 63])
        {
            var heads = Math.Max(DefaultHeads, (int)Math.Min(int.MaxValue, (sectors512 + (sectors * MaxCylinders) - 1) / (sectors * MaxCylinders)));
            if (sectors % 4 != 0)
            {
                heads = (heads + 3) / 4 * 4;
            }

            if (heads <= 255)
            {
                return (heads, sectors);
            }
        }

        return (252, 63); // ~8 GiB and beyond: CHS values clamp, LBA-capable BIOSes do not care
    }

    public static long CylinderBytes(long imageBytes)
    {
        var (heads, sectors) = Geometry(imageBytes);
        return heads * sectors * 512L;
    }

    public static void Patch(Span<byte> systemArea, uint bootImageLba, long imageBytes, long unpaddedBytes, uint diskSignature)
    {
        var (heads, sectors) = Geometry(unpaddedBytes);
        var total512 = (uint)(imageBytes / 512);
        BinaryPrimitives.WriteUInt64LittleEndian(systemArea[432..], bootImageLba * 4UL);
        BinaryPrimitives.WriteUInt32LittleEndian(systemArea[440..], diskSignature);
        systemArea[444] = 0;
        systemArea[445] = 0;
        systemArea[446..510].Clear();
        var entry = systemArea.Slice(446, 16);
        entry[0] = 0x80;
        Chs(0, heads, sectors, entry[1..4]);
        entry[4] = PartitionType;
        Chs(total512 - 1, heads, sectors, entry[5..8]);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], total512);
        systemArea[510] = 0x55;
        systemArea[511] = 0xAA;
    }

    /// <summary>LBA to CHS bytes (head, sector | cylinder high bits, cylinder low), clamped past 1024 cylinders.</summary>
    private static void Chs(uint lba, int heads, int sectors, Span<byte> target)
    {
        var sector = (lba % (uint)sectors) + 1;
        var track = lba / (uint)sectors;
        var head = track % (uint)heads;
        var cylinder = track / (uint)heads;
        if (cylinder >= MaxCylinders)
        {
            (cylinder, head, sector) = (MaxCylinders - 1, (uint)heads - 1, (uint)sectors);
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
