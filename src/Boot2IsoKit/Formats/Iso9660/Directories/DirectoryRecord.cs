using Boot2IsoKit.Formats.Iso9660.Descriptors;

namespace Boot2IsoKit.Formats.Iso9660.Directories;

/// <summary>
/// One ECMA-119 directory record (9.1): the fixed 33 bytes, the file identifier, the pad byte when the
/// identifier length is even, then the System Use area that carries SUSP/Rock Ridge entries.
/// </summary>
internal sealed class DirectoryRecord
{
    public const int FixedLength = 33;
    public const int MaxLength = 254;
    public const byte FlagHidden = 0x01;
    public const byte FlagDirectory = 0x02;
    public const byte FlagMultiExtent = 0x80;

    public required uint Lba { get; init; }

    public required uint DataLength { get; init; }

    public required byte Flags { get; init; }

    public required byte[] Identifier { get; init; }

    public DateTimeOffset? RecordingDate { get; init; }

    public byte[] SystemUse { get; init; } = [];

    /// <summary>Byte offset of the record in the image, for error messages.</summary>
    public long ImageOffset { get; init; }

    public bool IsDirectory => (Flags & FlagDirectory) != 0;

    public bool IsSelf => Identifier is [0];

    public bool IsParent => Identifier is [1];

    public static int LengthWithoutSystemUse(int identifierLength) =>
        FixedLength + identifierLength + (identifierLength % 2 == 0 ? 1 : 0);

    public int Length => LengthWithoutSystemUse(Identifier.Length) + SystemUse.Length;

    /// <summary>Parses a record the caller already bounded to its sector; problems go through <paramref name="error"/>.</summary>
    public static DirectoryRecord Parse(ReadOnlySpan<byte> record, long imageOffset, Func<string, Exception> error)
    {
        var length = record[0];
        if (length < FixedLength + 1)
        {
            throw error($"record length {length} is shorter than the 34-byte minimum");
        }

        if (record[1] != 0)
        {
            throw error($"extended attribute records are not supported (length {record[1]})");
        }

        var identifierLength = record[32];
        var fixedEnd = LengthWithoutSystemUse(identifierLength);
        if (identifierLength == 0 || fixedEnd - (identifierLength % 2 == 0 ? 1 : 0) > length)
        {
            throw error($"identifier length {identifierLength} does not fit the record length {length}");
        }

        return new DirectoryRecord
        {
            Lba = IsoBytes.ReadLe32(record[2..]),
            DataLength = IsoBytes.ReadLe32(record[10..]),
            RecordingDate = IsoBytes.ReadShortDate(record[18..25]),
            Flags = record[25],
            Identifier = record.Slice(33, identifierLength).ToArray(),
            SystemUse = fixedEnd < length ? record[fixedEnd..length].ToArray() : [],
            ImageOffset = imageOffset,
        };
    }

    public void Write(Span<byte> target, DateTimeOffset date)
    {
        var length = Length;
        if (length > MaxLength)
        {
            throw new InvalidOperationException($"directory record of {length} bytes exceeds {MaxLength}");
        }

        target[..length].Clear();
        target[0] = (byte)length;
        IsoBytes.WriteBoth32(target[2..], Lba);
        IsoBytes.WriteBoth32(target[10..], DataLength);
        IsoBytes.WriteShortDate(target[18..], date);
        target[25] = Flags;
        IsoBytes.WriteBoth16(target[28..], 1);
        target[32] = (byte)Identifier.Length;
        Identifier.CopyTo(target[33..]);
        SystemUse.CopyTo(target[LengthWithoutSystemUse(Identifier.Length)..]);
    }
}
