using System.Globalization;
using System.Text;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// Writes a newc ("070701") cpio archive the kernel unpacks: 4-byte aligned headers, names with their
/// NUL, data padded to 4, and a closing "TRAILER!!!". Inode numbers are handed out in write order from
/// 1, so the same entries always give the same bytes. File data is streamed from each entry's content.
/// </summary>
internal sealed class CpioWriter : IDisposable
{
    private static readonly byte[] Zeros = new byte[4];

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly byte[] _copyBuffer = new byte[1 << 16];
    private long _nextInode = 1;

    public CpioWriter(Stream output, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes written so far.</summary>
    public long Position { get; private set; }

    /// <summary>The next inode number <see cref="AllocateInode"/> will return.</summary>
    public long NextInode => _nextInode;

    public long AllocateInode() => _nextInode++;

    /// <summary>
    /// Writes entries in the given order (parents first is the caller's job; <see cref="RootfsOverlay.EntriesWithParents"/>
    /// does it). Hard links follow the newc convention: every name of a file shares one inode and the
    /// link count, and only the last name written carries the data.
    /// </summary>
    public void WriteEntries(IReadOnlyList<RootfsEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var groups = HardLinkGroups(entries);
        var groupInodes = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var index = 0; index < entries.Count; index++)
        {
            var entry = entries[index];
            var groupKey = entry.Kind == RootfsEntryKind.HardLink ? RootfsPath.Normalize(entry.LinkTarget!) : entry.Path;
            if (groups.TryGetValue(groupKey, out var group))
            {
                if (!groupInodes.TryGetValue(groupKey, out var inode))
                {
                    inode = AllocateInode();
                    groupInodes[groupKey] = inode;
                }

                var target = group.Target;
                var carriesData = index == group.LastIndex;
                WriteHeader(HeaderFor(entry with { Kind = RootfsEntryKind.File, Content = target.Content }, inode, group.Count, carriesData ? target.Content!.Length : 0), carriesData ? target.Content : null);
                continue;
            }

            Write(entry);
        }
    }

    /// <summary>Writes one entry that is not a hard link.</summary>
    public void Write(RootfsEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        switch (entry.Kind)
        {
            case RootfsEntryKind.HardLink:
                throw new ArgumentException($"Hard link '{entry.Path}' must be written with WriteEntries, beside its target.", nameof(entry));
            case RootfsEntryKind.File:
                var content = entry.Content ?? throw new ArgumentException($"File '{entry.Path}' has no content.", nameof(entry));
                WriteHeader(HeaderFor(entry, AllocateInode(), 1, content.Length), content);
                break;
            case RootfsEntryKind.Symlink:
                var target = Encoding.UTF8.GetBytes(entry.LinkTarget ?? throw new ArgumentException($"Symlink '{entry.Path}' has no target.", nameof(entry)));
                if (target.Length is 0 or > CpioReader.MaxNameSize)
                {
                    throw new InvalidInputException("rootfs overlay", entry.Path, $"symlink target length {target.Length} outside 1..{CpioReader.MaxNameSize}");
                }

                using (var data = new MemoryStream(target, writable: false))
                {
                    WriteHeader(HeaderFor(entry, AllocateInode(), 1, target.Length), data);
                }

                break;
            default:
                WriteHeader(HeaderFor(entry, AllocateInode(), entry.Kind == RootfsEntryKind.Directory ? 2 : 1, 0), (Stream?)null);
                break;
        }
    }

    /// <summary>Writes a header as given (name as stored, inode as given) followed by <paramref name="content"/>.</summary>
    public void WriteHeader(CpioHeader header, Boot2IsoKit.Plumbing.IO.IContentSource? content)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (content is null)
        {
            WriteHeader(header, (Stream?)null);
            return;
        }

        using var data = content.OpenRead();
        WriteHeader(header, data, content.Description);
    }

    /// <summary>Writes a header as given followed by exactly <see cref="CpioHeader.FileSize"/> bytes of <paramref name="data"/>.</summary>
    public void WriteHeader(CpioHeader header, Stream? data, string? dataDescription = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        var name = Encoding.UTF8.GetBytes(header.Name);
        if (name.Length + 1 > CpioReader.MaxNameSize || name.Contains((byte)0))
        {
            throw new InvalidInputException("rootfs overlay", header.Name, "name is too long or contains a NUL byte");
        }

        if (header.FileSize > uint.MaxValue)
        {
            throw new InvalidInputException("rootfs overlay", header.Name, $"{header.FileSize} bytes is over the 4 GiB newc limit");
        }

        var text = new StringBuilder(CpioReader.HeaderSize);
        text.Append(header.HasChecksum ? "070702" : "070701");
        foreach (var field in new[]
        {
            header.Inode, header.Mode, header.Uid, header.Gid, header.LinkCount, header.ModificationTime, header.FileSize,
            header.DevMajor, header.DevMinor, header.RDevMajor, header.RDevMinor, name.Length + 1, header.Checksum,
        })
        {
            text.Append(((uint)field).ToString("X8", CultureInfo.InvariantCulture));
        }

        WriteBytes(Encoding.ASCII.GetBytes(text.ToString()));
        WriteBytes(name);
        WriteBytes([0]);
        Pad();
        if (header.FileSize > 0)
        {
            if (data is null)
            {
                throw new ArgumentException($"'{header.Name}' declares {header.FileSize} bytes but no data was given.", nameof(data));
            }

            CopyExactly(data, header.FileSize, dataDescription ?? header.Name);
            Pad();
        }
    }

    public void WriteTrailer() =>
        WriteHeader(new CpioHeader { Name = CpioHeader.TrailerName, Mode = 0, LinkCount = 1 }, (Stream?)null);

    public void Dispose()
    {
        _output.Flush();
        if (!_leaveOpen)
        {
            _output.Dispose();
        }
    }

    internal static CpioHeader HeaderFor(RootfsEntry entry, long inode, int linkCount, long fileSize) => new()
    {
        Name = entry.Path,
        Mode = CpioHeader.TypeBitsOf(entry.Kind) | (entry.Permissions & 0xFFF),
        Inode = inode,
        Uid = entry.Uid,
        Gid = entry.Gid,
        LinkCount = linkCount,
        ModificationTime = entry.ModificationTime,
        FileSize = fileSize,
        RDevMajor = entry.DeviceMajor,
        RDevMinor = entry.DeviceMinor,
    };

    private static Dictionary<string, (RootfsEntry Target, int Count, int LastIndex)> HardLinkGroups(IReadOnlyList<RootfsEntry> entries)
    {
        var files = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Kind == RootfsEntryKind.File)
            {
                files[entries[i].Path] = i;
            }
        }

        var groups = new Dictionary<string, (RootfsEntry Target, int Count, int LastIndex)>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Kind != RootfsEntryKind.HardLink)
            {
                continue;
            }

            var target = RootfsPath.Normalize(entry.LinkTarget ?? "", "rootfs overlay");
            if (!files.TryGetValue(target, out var targetIndex))
            {
                throw new InvalidInputException("rootfs overlay", entry.Path, $"hard link target '{target}' is not a regular file of the same archive");
            }

            var group = groups.TryGetValue(target, out var g) ? g : (entries[targetIndex], 1, targetIndex);
            groups[target] = (group.Item1, group.Item2 + 1, Math.Max(group.Item3, i));
        }

        return groups;
    }

    private void CopyExactly(Stream data, long length, string description)
    {
        var remaining = length;
        while (remaining > 0)
        {
            var read = data.Read(_copyBuffer, 0, (int)Math.Min(_copyBuffer.Length, remaining));
            if (read == 0)
            {
                throw new Boot2IsoKitException($"{description}: content ended {remaining} bytes before its declared length {length}.");
            }

            _output.Write(_copyBuffer, 0, read);
            Position += read;
            remaining -= read;
        }
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        Position += bytes.Length;
    }

    private void Pad()
    {
        var padding = (int)((4 - (Position & 3)) & 3);
        if (padding > 0)
        {
            WriteBytes(Zeros.AsSpan(0, padding));
        }
    }
}
