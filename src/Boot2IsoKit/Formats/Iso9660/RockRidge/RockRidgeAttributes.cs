using System.Text;
using Boot2IsoKit.Formats.Iso9660.Descriptors;

namespace Boot2IsoKit.Formats.Iso9660.RockRidge;

/// <summary>What the Rock Ridge entries (RRIP 1.10/1.12) of one directory record say.</summary>
internal sealed class RockRidgeAttributes
{
    public const byte NameContinue = 0x01;
    public const byte NameCurrent = 0x02;
    public const byte NameParent = 0x04;
    public const byte ComponentContinue = 0x01;
    public const byte ComponentCurrent = 0x02;
    public const byte ComponentParent = 0x04;
    public const byte ComponentRoot = 0x08;

    public uint? Mode { get; private set; }

    public uint LinkCount { get; private set; } = 1;

    public uint Uid { get; private set; }

    public uint Gid { get; private set; }

    public string? Name { get; private set; }

    public bool NameIsSpecial { get; private set; }

    public string? SymlinkTarget { get; private set; }

    public DateTimeOffset? ModificationTime { get; private set; }

    public ulong? DeviceNumber { get; private set; }

    public uint? ChildLink { get; private set; }

    public bool IsRelocated { get; private set; }

    public static RockRidgeAttributes From(IEnumerable<SuspEntry> entries)
    {
        var result = new RockRidgeAttributes();
        StringBuilder? name = null;
        List<string>? components = null;
        var componentOpen = false;
        foreach (var entry in entries)
        {
            var data = entry.Data;
            switch (entry.Signature)
            {
                case "PX" when data.Length >= 32:
                    result.Mode = IsoBytes.ReadLe32(data);
                    result.LinkCount = IsoBytes.ReadLe32(data[8..]);
                    result.Uid = IsoBytes.ReadLe32(data[16..]);
                    result.Gid = IsoBytes.ReadLe32(data[24..]);
                    break;
                case "NM" when data.Length >= 1:
                    if ((data[0] & (NameCurrent | NameParent)) != 0)
                    {
                        result.NameIsSpecial = true;
                    }

                    name ??= new StringBuilder();
                    name.Append(Encoding.UTF8.GetString(data[1..]));
                    break;
                case "SL" when data.Length >= 1:
                    components ??= [];
                    AppendComponents(data[1..], components, ref componentOpen);
                    break;
                case "TF" when data.Length >= 1:
                    result.ModificationTime = ReadModifyTime(data);
                    break;
                case "PN" when data.Length >= 16:
                    result.DeviceNumber = ((ulong)IsoBytes.ReadLe32(data) << 32) | IsoBytes.ReadLe32(data[8..]);
                    break;
                case "CL" when data.Length >= 8:
                    result.ChildLink = IsoBytes.ReadLe32(data);
                    break;
                case "RE":
                    result.IsRelocated = true;
                    break;
                default:
                    break;
            }
        }

        result.Name = name?.ToString();
        if (components is not null)
        {
            result.SymlinkTarget = components is [""] ? "/" : string.Join('/', components);
        }

        return result;
    }

    private static void AppendComponents(ReadOnlySpan<byte> records, List<string> components, ref bool componentOpen)
    {
        var position = 0;
        while (position + 2 <= records.Length)
        {
            var flags = records[position];
            var length = records[position + 1];
            if (position + 2 + length > records.Length)
            {
                break;
            }

            var text = (flags & ComponentCurrent) != 0 ? "."
                : (flags & ComponentParent) != 0 ? ".."
                : (flags & ComponentRoot) != 0 ? ""
                : Encoding.UTF8.GetString(records.Slice(position + 2, length));
            if ((flags & ComponentRoot) != 0)
            {
                components.Clear();
                components.Add("");
            }
            else if (componentOpen && components.Count > 0)
            {
                components[^1] += text;
            }
            else
            {
                components.Add(text);
            }

            componentOpen = (flags & ComponentContinue) != 0;
            position += 2 + length;
        }
    }

    private static DateTimeOffset? ReadModifyTime(ReadOnlySpan<byte> data)
    {
        const byte ModifyBit = 0x02;
        var flags = data[0];
        if ((flags & ModifyBit) == 0)
        {
            return null;
        }

        var size = (flags & 0x80) != 0 ? 17 : 7;
        var offset = 1 + ((flags & 0x01) != 0 ? size : 0);
        if (offset + size > data.Length)
        {
            return null;
        }

        return size == 7 ? IsoBytes.ReadShortDate(data.Slice(offset, 7)) : IsoBytes.ReadLongDate(data.Slice(offset, 17));
    }
}
