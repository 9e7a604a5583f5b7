using System.Buffers.Binary;

namespace Boot2IsoKit.Formats.Iso9660.Directories;

/// <summary>
/// ECMA-119 9.4 path tables. Directories must be given in path-table order (breadth first, children
/// in directory order), each with its extent, identifier and 1-based parent number.
/// </summary>
internal static class PathTableWriter
{
    public static int RecordLength(int identifierLength) => 8 + identifierLength + (identifierLength % 2);

    public static byte[] Build(IReadOnlyList<(uint Lba, byte[] Identifier, ushort Parent)> directories, bool bigEndian)
    {
        var table = new byte[directories.Sum(d => RecordLength(d.Identifier.Length))];
        var position = 0;
        foreach (var (lba, identifier, parent) in directories)
        {
            table[position] = (byte)identifier.Length;
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(table.AsSpan(position + 2), lba);
                BinaryPrimitives.WriteUInt16BigEndian(table.AsSpan(position + 6), parent);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(position + 2), lba);
                BinaryPrimitives.WriteUInt16LittleEndian(table.AsSpan(position + 6), parent);
            }

            identifier.CopyTo(table, position + 8);
            position += RecordLength(identifier.Length);
        }

        return table;
    }
}
