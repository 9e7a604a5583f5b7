namespace Boot2IsoKit.Formats.Iso9660.Descriptors;

/// <summary>Fields shared by the Primary and the Joliet Supplementary Volume Descriptor.</summary>
internal sealed record VolumeDescriptorFields(
    string SystemId,
    string VolumeId,
    string PublisherId,
    string DataPreparerId,
    string ApplicationId,
    uint VolumeSpaceSize,
    uint PathTableSize,
    uint TypeLPathTableLba,
    uint TypeMPathTableLba,
    byte[] RootRecord,
    DateTimeOffset Timestamp);

/// <summary>Writes the PVD (ECMA-119 8.4), the Joliet SVD (8.5 with escape "%/E") and the terminator (8.3).</summary>
internal static class VolumeDescriptorWriter
{
    public static void WritePrimary(Span<byte> sector, VolumeDescriptorFields fields) => Write(sector, fields, joliet: false);

    public static void WriteJoliet(Span<byte> sector, VolumeDescriptorFields fields) => Write(sector, fields, joliet: true);

    public static void WriteTerminator(Span<byte> sector)
    {
        sector.Clear();
        sector[0] = 255;
        "CD001"u8.CopyTo(sector[1..]);
        sector[6] = 1;
    }

    private static void Write(Span<byte> sector, VolumeDescriptorFields f, bool joliet)
    {
        sector.Clear();
        sector[0] = joliet ? (byte)2 : (byte)1;
        "CD001"u8.CopyTo(sector[1..]);
        sector[6] = 1;
        Text(sector.Slice(8, 32), f.SystemId, joliet);
        Text(sector.Slice(40, 32), f.VolumeId, joliet);
        IsoBytes.WriteBoth32(sector[80..], f.VolumeSpaceSize);
        if (joliet)
        {
            "%/E"u8.CopyTo(sector[88..]);
        }

        IsoBytes.WriteBoth16(sector[120..], 1);
        IsoBytes.WriteBoth16(sector[124..], 1);
        IsoBytes.WriteBoth16(sector[128..], IsoBytes.BlockSize);
        IsoBytes.WriteBoth32(sector[132..], f.PathTableSize);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sector[140..], f.TypeLPathTableLba);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(sector[148..], f.TypeMPathTableLba);
        f.RootRecord.CopyTo(sector[156..]);
        Text(sector.Slice(190, 128), "", joliet);
        Text(sector.Slice(318, 128), f.PublisherId, joliet);
        Text(sector.Slice(446, 128), f.DataPreparerId, joliet);
        Text(sector.Slice(574, 128), f.ApplicationId, joliet);
        Text(sector.Slice(702, 37), "", joliet);
        Text(sector.Slice(739, 37), "", joliet);
        Text(sector.Slice(776, 37), "", joliet);
        IsoBytes.WriteLongDate(sector.Slice(813, 17), f.Timestamp);
        IsoBytes.WriteLongDate(sector.Slice(830, 17), f.Timestamp);
        IsoBytes.WriteLongDate(sector.Slice(847, 17), null);
        IsoBytes.WriteLongDate(sector.Slice(864, 17), f.Timestamp);
        sector[881] = 1;
    }

    private static void Text(Span<byte> field, string value, bool joliet)
    {
        if (joliet)
        {
            IsoBytes.WriteUcs2Padded(field, value);
        }
        else
        {
            IsoBytes.WritePadded(field, value);
        }
    }
}
