using System.Text;
using Boot2IsoKit.Formats.Iso9660.Descriptors;

namespace Boot2IsoKit.Formats.Iso9660.RockRidge;

/// <summary>Builds the SUSP / RRIP 1.12 entries our builder writes (PX in its 44-byte form, TF, NM, SL, PN, SP, ER, CE).</summary>
internal static class RockRidgeEntries
{
    public const int ContinuationLength = 28;
    private const int MaxPieceBytes = 250;
    private const int MaxComponentBytes = 255 - 5 - 2; // one component record must fit one SL entry

    public static SuspEntry SharingProtocol() => SuspEntry.Create("SP", [0xBE, 0xEF, 0]);

    public static SuspEntry Extension()
    {
        var id = "IEEE_1282"u8;
        var description = "THE IEEE 1282 PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS."u8;
        var source = "PLEASE CONTACT THE IEEE STANDARDS DEPARTMENT, PISCATAWAY, NJ, USA FOR THE 1282 SPECIFICATION."u8;
        var data = new byte[4 + id.Length + description.Length + source.Length];
        data[0] = (byte)id.Length;
        data[1] = (byte)description.Length;
        data[2] = (byte)source.Length;
        data[3] = 1;
        id.CopyTo(data.AsSpan(4));
        description.CopyTo(data.AsSpan(4 + id.Length));
        source.CopyTo(data.AsSpan(4 + id.Length + description.Length));
        return SuspEntry.Create("ER", data);
    }

    public static SuspEntry Posix(uint mode, uint links, uint uid, uint gid, uint serial)
    {
        var data = new byte[40];
        IsoBytes.WriteBoth32(data, mode);
        IsoBytes.WriteBoth32(data.AsSpan(8), links);
        IsoBytes.WriteBoth32(data.AsSpan(16), uid);
        IsoBytes.WriteBoth32(data.AsSpan(24), gid);
        IsoBytes.WriteBoth32(data.AsSpan(32), serial);
        return SuspEntry.Create("PX", data);
    }

    /// <summary>TF with modify, access and attribute-change times, all the same (7-byte form), as libisofs writes.</summary>
    public static SuspEntry Times(DateTimeOffset time)
    {
        var data = new byte[1 + (3 * 7)];
        data[0] = 0x0E;
        for (var i = 0; i < 3; i++)
        {
            IsoBytes.WriteShortDate(data.AsSpan(1 + (i * 7), 7), time);
        }

        return SuspEntry.Create("TF", data);
    }

    public static SuspEntry Device(ulong device)
    {
        var data = new byte[16];
        IsoBytes.WriteBoth32(data, (uint)(device >> 32));
        IsoBytes.WriteBoth32(data.AsSpan(8), (uint)device);
        return SuspEntry.Create("PN", data);
    }

    public static SuspEntry Continuation(uint lba, uint offset, uint length)
    {
        var data = new byte[24];
        IsoBytes.WriteBoth32(data, lba);
        IsoBytes.WriteBoth32(data.AsSpan(8), offset);
        IsoBytes.WriteBoth32(data.AsSpan(16), length);
        return SuspEntry.Create("CE", data);
    }

    /// <summary>NM entries, split into pieces of at most 250 name bytes joined by the CONTINUE flag.</summary>
    public static IEnumerable<SuspEntry> Name(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        for (var offset = 0; offset < bytes.Length; offset += MaxPieceBytes)
        {
            var count = Math.Min(MaxPieceBytes, bytes.Length - offset);
            var data = new byte[1 + count];
            data[0] = offset + count < bytes.Length ? RockRidgeAttributes.NameContinue : (byte)0;
            bytes.AsSpan(offset, count).CopyTo(data.AsSpan(1));
            yield return SuspEntry.Create("NM", data);
        }
    }

    /// <summary>SL entries: one component record per path component, long components split with CONTINUE.</summary>
    public static IEnumerable<SuspEntry> Symlink(string target)
    {
        var records = new List<byte[]>();
        var parts = target.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i == 0 && part.Length == 0 && target.Length > 0)
            {
                records.Add([RockRidgeAttributes.ComponentRoot, 0]);
                continue;
            }

            if (part.Length == 0 && i > 0)
            {
                continue; // "a//b" or a trailing "/": nothing to record.
            }

            if (part == ".")
            {
                records.Add([RockRidgeAttributes.ComponentCurrent, 0]);
                continue;
            }

            if (part == "..")
            {
                records.Add([RockRidgeAttributes.ComponentParent, 0]);
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(part);
            for (var offset = 0; offset < bytes.Length || bytes.Length == 0; offset += MaxComponentBytes)
            {
                var count = Math.Min(MaxComponentBytes, bytes.Length - offset);
                var record = new byte[2 + count];
                record[0] = offset + count < bytes.Length ? RockRidgeAttributes.ComponentContinue : (byte)0;
                record[1] = (byte)count;
                bytes.AsSpan(offset, count).CopyTo(record.AsSpan(2));
                records.Add(record);
                if (bytes.Length == 0)
                {
                    break;
                }
            }
        }

        // Pack component records into SL entries of at most 255 bytes (5-byte header).
        var pending = new List<byte[]>();
        var size = 0;
        for (var i = 0; i <= records.Count; i++)
        {
            if (i == records.Count || 5 + size + records[i].Length > 255)
            {
                var more = i < records.Count;
                var data = new byte[1 + size];
                data[0] = more ? (byte)1 : (byte)0;
                var position = 1;
                foreach (var record in pending)
                {
                    record.CopyTo(data, position);
                    position += record.Length;
                }

                yield return SuspEntry.Create("SL", data);
                pending.Clear();
                size = 0;
                if (!more)
                {
                    yield break;
                }
            }

            pending.Add(records[i]);
            size += records[i].Length;
        }
    }
}
