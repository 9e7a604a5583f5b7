using System.Text;

namespace Boot2IsoKit.Formats.Iso9660.RockRidge;

/// <summary>
/// One System Use Sharing Protocol entry: 2-byte signature, total length, version, data. Both the
/// reader (<see cref="Parse"/>) and the builder (<see cref="Create"/>) go through this type.
/// </summary>
internal readonly record struct SuspEntry(string Signature, byte[] Bytes)
{
    public const int HeaderLength = 4;

    public int Length => Bytes.Length;

    public ReadOnlySpan<byte> Data => Bytes.AsSpan(HeaderLength);

    public static SuspEntry Create(string signature, ReadOnlySpan<byte> data)
    {
        var length = HeaderLength + data.Length;
        if (length > 255)
        {
            throw new InvalidOperationException($"SUSP entry {signature} of {length} bytes exceeds 255");
        }

        var bytes = new byte[length];
        bytes[0] = (byte)signature[0];
        bytes[1] = (byte)signature[1];
        bytes[2] = (byte)length;
        bytes[3] = 1;
        data.CopyTo(bytes.AsSpan(HeaderLength));
        return new SuspEntry(signature, bytes);
    }

    /// <summary>
    /// Splits a System Use area into entries. Parsing stops at ST, at padding, or at an entry whose
    /// length is below 4 or runs past the area (SUSP 5.1: the rest is not SUSP data).
    /// </summary>
    public static List<SuspEntry> Parse(ReadOnlySpan<byte> area)
    {
        var entries = new List<SuspEntry>();
        var position = 0;
        while (area.Length - position >= HeaderLength)
        {
            var length = area[position + 2];
            if (length < HeaderLength || position + length > area.Length)
            {
                break;
            }

            var signature = Encoding.Latin1.GetString(area.Slice(position, 2));
            if (signature == "ST")
            {
                break;
            }

            entries.Add(new SuspEntry(signature, area.Slice(position, length).ToArray()));
            position += length;
        }

        return entries;
    }
}
