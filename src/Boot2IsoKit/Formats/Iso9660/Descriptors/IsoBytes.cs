using System.Buffers.Binary;
using System.Text;

namespace Boot2IsoKit.Formats.Iso9660.Descriptors;

/// <summary>
/// The numeric, string and date encodings of ECMA-119 (7.1.1 … 8.4.26.1). Writers fill both halves of
/// both-endian fields; readers trust only the little-endian half, as Linux and ISOLINUX do.
/// </summary>
internal static class IsoBytes
{
    public const int BlockSize = 2048;

    public static void WriteBoth16(Span<byte> target, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(target, value);
        BinaryPrimitives.WriteUInt16BigEndian(target[2..], value);
    }

    public static void WriteBoth32(Span<byte> target, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(target, value);
        BinaryPrimitives.WriteUInt32BigEndian(target[4..], value);
    }

    public static uint ReadLe32(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32LittleEndian(source);

    public static ushort ReadLe16(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt16LittleEndian(source);

    /// <summary>Writes ASCII padded with spaces (a/d-character fields).</summary>
    public static void WritePadded(Span<byte> target, string value)
    {
        target.Fill((byte)' ');
        Encoding.ASCII.GetBytes(value, target);
    }

    /// <summary>Writes UCS-2 big-endian padded with UCS-2 spaces; an odd trailing byte stays 0 (Joliet).</summary>
    public static void WriteUcs2Padded(Span<byte> target, string value)
    {
        target.Clear();
        for (var i = 0; i + 1 < target.Length; i += 2)
        {
            var c = i / 2 < value.Length ? value[i / 2] : ' ';
            BinaryPrimitives.WriteUInt16BigEndian(target[i..], c);
        }
    }

    /// <summary>Reads an identifier field, trimming the space or NUL padding writers use.</summary>
    public static string ReadText(ReadOnlySpan<byte> source)
    {
        var text = Encoding.Latin1.GetString(source);
        return text.TrimEnd(' ', '\0');
    }

    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>7-byte recording date (9.1.5), always written in UTC.</summary>
    public static void WriteShortDate(Span<byte> target, DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var year = Math.Clamp(utc.Year - 1900, 0, 255);
        target[0] = (byte)year;
        target[1] = (byte)utc.Month;
        target[2] = (byte)utc.Day;
        target[3] = (byte)utc.Hour;
        target[4] = (byte)utc.Minute;
        target[5] = (byte)utc.Second;
        target[6] = 0;
    }

    /// <summary>Reads a 7-byte date; garbage gives null rather than an exception (dates are not structure).</summary>
    public static DateTimeOffset? ReadShortDate(ReadOnlySpan<byte> source)
    {
        if (source[1] is < 1 or > 12 || source[2] is < 1 or > 31 || source[3] > 23 || source[4] > 59 || source[5] > 59)
        {
            return null;
        }

        var offset = (sbyte)source[6];
        if (offset is < -48 or > 52)
        {
            offset = 0;
        }

        if (source[2] > DateTime.DaysInMonth(1900 + source[0], source[1]))
        {
            return null;
        }

        return new DateTimeOffset(1900 + source[0], source[1], source[2], source[3], source[4], source[5], TimeSpan.FromMinutes(offset * 15));
    }

    /// <summary>17-byte volume date (8.4.26.1): "YYYYMMDDHHMMSScc" + GMT offset; null writes "not specified".</summary>
    public static void WriteLongDate(Span<byte> target, DateTimeOffset? time)
    {
        if (time is null)
        {
            target[..16].Fill((byte)'0');
            target[16] = 0;
            return;
        }

        var utc = time.Value.UtcDateTime;
        Encoding.ASCII.GetBytes(utc.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "00", target);
        target[16] = 0;
    }

    public static DateTimeOffset? ReadLongDate(ReadOnlySpan<byte> source)
    {
        Span<char> digits = stackalloc char[16];
        for (var i = 0; i < 16; i++)
        {
            var b = source[i] == 0 ? (byte)'0' : source[i];
            if (b is < (byte)'0' or > (byte)'9')
            {
                return null;
            }

            digits[i] = (char)b;
        }

        static int Number(ReadOnlySpan<char> s) => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        int year = Number(digits[..4]), month = Number(digits[4..6]), day = Number(digits[6..8]);
        int hour = Number(digits[8..10]), minute = Number(digits[10..12]), second = Number(digits[12..14]);
        if (year == 0 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return null;
        }

        var offset = (sbyte)source[16];
        if (offset is < -48 or > 52)
        {
            offset = 0;
        }

        return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromMinutes(offset * 15));
    }
}
