using System.Text;
using Boot2IsoKit.Formats.Iso9660.Descriptors;
using Boot2IsoKit.Formats.Iso9660.Directories;
using Boot2IsoKit.Formats.Iso9660.ElTorito;
using Boot2IsoKit.Formats.Iso9660.Hybrid;
using Boot2IsoKit.Formats.Iso9660.Reading;
using Boot2IsoKit.Formats.Iso9660.RockRidge;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Iso9660;

/// <summary>
/// An ISO 9660 image opened for reading: volume descriptors, the directory tree (Rock Ridge names and
/// attributes when present), El Torito, the boot-info-table and the system area. The whole tree is read
/// and checked when the image is opened, so a broken image fails there with an <see cref="InvalidIsoException"/>;
/// file contents are read lazily through <see cref="OpenFile"/>.
/// </summary>
internal sealed partial class IsoImage : IDisposable
{
    public const int BlockSize = IsoBytes.BlockSize;
    private const int FirstDescriptorLba = 16;
    private const int BootRecordLba = 17;
    private const int MaxDescriptors = 64;
    private const int MaxDepth = 255;
    private const int MaxContinuations = 64;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _length;
    private readonly HashSet<uint> _directoryExtents = [];
    private long _suspBudget;
    private int _suspSkip;

    private IsoImage(Stream stream, string name, bool leaveOpen)
    {
        _stream = stream;
        Name = name;
        _leaveOpen = leaveOpen;
        _length = stream.Length;
        // Continuation areas may be shared, but reading more SU bytes than 4× the image is a loop in disguise.
        _suspBudget = (4 * _length) + (1 << 20);
        Root = null!;
        SystemArea = null!;
    }

    /// <summary>The name used in error messages (usually the path).</summary>
    public string Name { get; }

    public string VolumeId { get; private set; } = "";

    public string SystemId { get; private set; } = "";

    public string VolumeSetId { get; private set; } = "";

    public string PublisherId { get; private set; } = "";

    public string DataPreparerId { get; private set; } = "";

    public string ApplicationId { get; private set; } = "";

    public DateTimeOffset? CreationTime { get; private set; }

    public DateTimeOffset? ModificationTime { get; private set; }

    public DateTimeOffset? ExpirationTime { get; private set; }

    public DateTimeOffset? EffectiveTime { get; private set; }

    /// <summary>Volume Space Size from the PVD, in 2048-byte blocks.</summary>
    public uint VolumeSpaceSize { get; private set; }

    public bool HasRockRidge { get; private set; }

    public bool HasJoliet { get; private set; }

    public IsoNode Root { get; private set; }

    /// <summary>El Torito boot setup, or null when the image has no boot record.</summary>
    public ElToritoBootInfo? ElTorito { get; private set; }

    /// <summary>The boot-info-table found at byte 8 of the boot image, or null (no boot image, or bi_pvd is not the PVD).</summary>
    public BootInfoTable? BootInfoTable { get; private set; }

    public IsoSystemArea SystemArea { get; private set; }

    /// <summary>Directory extents listed by the Type-L path table, in table order (checked against the tree).</summary>
    public IReadOnlyList<uint> PathTableExtents { get; private set; } = [];

    public static IsoImage Open(string path) => ImageStreams.OpenFile(path, stream => Open(stream, path, leaveOpen: false));

    public static IsoImage Open(Stream stream, string name, bool leaveOpen = false) =>
        ImageStreams.Load(stream, "an ISO image", leaveOpen, () =>
        {
            var image = new IsoImage(stream, name, leaveOpen);
            image.Load();
            return image;
        });

    /// <summary>Finds a node by absolute or relative path ("/isolinux/isolinux.cfg"); null when absent.</summary>
    public IsoNode? Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var node = Root;
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            node = node.Child(segment);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Opens a regular file's data as a read-only stream that reads lazily from the image.</summary>
    public Stream OpenFile(IsoNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Kind != IsoNodeKind.File)
        {
            throw new ArgumentException($"{node.Path} is a {node.Kind}, not a file", nameof(node));
        }

        return new IsoFileStream(this, node.Extents, node.Size);
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    internal int ReadAt(long offset, Span<byte> buffer)
    {
        lock (_stream)
        {
            _stream.Position = offset;
            return _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
    }

    private InvalidIsoException Error(string location, string problem) => new(Name, location, problem);

    private byte[] ReadBlock(uint lba, string what)
    {
        var buffer = new byte[BlockSize];
        ReadExactly(lba * (long)BlockSize, buffer, what);
        return buffer;
    }

    private void ReadExactly(long offset, Span<byte> buffer, string what)
    {
        if (offset < 0 || offset + buffer.Length > _length)
        {
            throw Error(what, $"bytes {offset}..{offset + buffer.Length} lie past the end of the {_length}-byte image");
        }

        if (ReadAt(offset, buffer) != buffer.Length)
        {
            throw Error(what, $"image ended while reading {buffer.Length} bytes at offset {offset}");
        }
    }

    private void CheckExtent(uint lba, long length, string what)
    {
        if (length > 0 && (lba * (long)BlockSize) + length > _length)
        {
            throw Error(what, $"extent at LBA {lba} of {length} bytes lies past the end of the {_length}-byte image");
        }
    }

    private void Load()
    {
        if (_length < (FirstDescriptorLba + 2) * (long)BlockSize)
        {
            throw Error("image", $"{_length} bytes is too short to hold the volume descriptors at byte 32768");
        }

        var systemArea = new byte[IsoSystemArea.Size];
        ReadExactly(0, systemArea, "system area");
        SystemArea = new IsoSystemArea(systemArea);

        byte[]? primary = null;
        uint? catalogLba = null;
        for (uint lba = FirstDescriptorLba; ; lba++)
        {
            if (lba - FirstDescriptorLba >= MaxDescriptors || (lba + 1) * (long)BlockSize > _length)
            {
                throw Error($"volume descriptor set (LBA {lba})", "no terminator found");
            }

            var sector = ReadBlock(lba, $"volume descriptor at LBA {lba}");
            if (!IsoSignature.IsVolumeDescriptor(sector))
            {
                throw Error($"volume descriptor at LBA {lba}", "standard identifier CD001 missing");
            }

            if (sector[0] == 255)
            {
                break;
            }

            switch (sector[0])
            {
                case IsoSignature.PrimaryDescriptorType:
                    primary ??= sector;
                    break;
                case IsoSignature.BootRecordType when BootCatalog.IsBootRecord(sector):
                    catalogLba ??= BootCatalog.CatalogLbaOf(sector);
                    break;
                case 2 when sector[88] == 0x25 && sector[89] == 0x2F && sector[90] is 0x40 or 0x43 or 0x45:
                    HasJoliet = true;
                    break;
                default:
                    break;
            }
        }

        if (primary is null)
        {
            throw Error("volume descriptor set", "no primary volume descriptor");
        }

        ReadPrimary(primary);
        ReadPathTable(primary);
        if (catalogLba is uint catalog)
        {
            ReadElTorito(catalog);
        }
    }

    private void ReadPrimary(byte[] pvd)
    {
        var span = pvd.AsSpan();
        if (IsoBytes.ReadLe16(span[128..]) != BlockSize)
        {
            throw Error("primary volume descriptor (LBA 16)", $"logical block size {IsoBytes.ReadLe16(span[128..])} is not 2048");
        }

        SystemId = IsoBytes.ReadText(span.Slice(8, 32));
        VolumeId = IsoBytes.ReadText(span.Slice(40, 32));
        VolumeSpaceSize = IsoBytes.ReadLe32(span[80..]);
        VolumeSetId = IsoBytes.ReadText(span.Slice(190, 128));
        PublisherId = IsoBytes.ReadText(span.Slice(318, 128));
        DataPreparerId = IsoBytes.ReadText(span.Slice(446, 128));
        ApplicationId = IsoBytes.ReadText(span.Slice(574, 128));
        CreationTime = IsoBytes.ReadLongDate(span.Slice(813, 17));
        ModificationTime = IsoBytes.ReadLongDate(span.Slice(830, 17));
        ExpirationTime = IsoBytes.ReadLongDate(span.Slice(847, 17));
        EffectiveTime = IsoBytes.ReadLongDate(span.Slice(864, 17));

        var rootOffset = (FirstDescriptorLba * (long)BlockSize) + 156;
        if (span[156] != 34)
        {
            throw Error($"root directory record (offset {rootOffset})", $"length {span[156]} is not 34");
        }

        var rootRecord = DirectoryRecord.Parse(span.Slice(156, 34), rootOffset, p => Error($"root directory record (offset {rootOffset})", p));
        if (!rootRecord.IsDirectory)
        {
            throw Error($"root directory record (offset {rootOffset})", "not flagged as a directory");
        }

        ReadTree(rootRecord);
    }

    private sealed record PendingDirectory(IsoNode Node, uint Lba, uint Size, int Depth);

    private void ReadTree(DirectoryRecord rootRecord)
    {
        CheckExtent(rootRecord.Lba, rootRecord.DataLength, "root directory");
        var root = new IsoNode(null, "", "", IsoNodeKind.Directory) { Mode = UnixMode.Directory | 0x16D /* 0555 */ };
        Root = root;
        var queue = new Queue<PendingDirectory>();
        _directoryExtents.Add(rootRecord.Lba);
        queue.Enqueue(new PendingDirectory(root, rootRecord.Lba, rootRecord.DataLength, 0));
        var isRoot = true;
        while (queue.Count > 0)
        {
            var directory = queue.Dequeue();
            var records = ReadDirectoryRecords(directory.Lba, directory.Size, directory.Node.Path);
            if (isRoot)
            {
                DetectRockRidge(records[0]);
                isRoot = false;
            }

            ApplySelfAttributes(directory.Node, records[0], directory.Node.Path);
            directory.Node.Size = directory.Size;
            AddChildren(directory, records, queue);
        }
    }

    private List<DirectoryRecord> ReadDirectoryRecords(uint lba, uint size, string path)
    {
        CheckExtent(lba, size, $"directory {path}");
        var records = new List<DirectoryRecord>();
        var sector = new byte[BlockSize];
        for (long done = 0; done < size; done += BlockSize)
        {
            var sectorOffset = (lba * (long)BlockSize) + done;
            var valid = (int)Math.Min(BlockSize, size - done);
            ReadExactly(sectorOffset, sector.AsSpan(0, valid), $"directory {path}");
            var position = 0;
            while (position < valid)
            {
                var length = sector[position];
                if (length == 0)
                {
                    break; // ECMA-119 6.8.1.1: the rest of the sector is padding, records resume in the next one.
                }

                var recordOffset = sectorOffset + position;
                var location = $"directory {path}, record at offset {recordOffset}";
                if (position + length > valid)
                {
                    throw Error(location, $"record length {length} crosses the sector or directory end");
                }

                records.Add(DirectoryRecord.Parse(sector.AsSpan(position, length), recordOffset, p => Error(location, p)));
                position += length;
            }
        }

        if (records.Count < 2 || !records[0].IsSelf || !records[1].IsParent)
        {
            throw Error($"directory {path} (LBA {lba})", "does not start with the '.' and '..' records");
        }

        return records;
    }

    private void DetectRockRidge(DirectoryRecord self)
    {
        var entries = SuspEntry.Parse(self.SystemUse);
        if (entries.Count == 0 || entries[0].Signature != "SP" || entries[0].Length < 7 || entries[0].Bytes[4] != 0xBE || entries[0].Bytes[5] != 0xEF)
        {
            return;
        }

        _suspSkip = entries[0].Bytes[6];
        foreach (var entry in ReadSystemUse(self, "root directory '.' record"))
        {
            if (entry.Signature == "ER" && entry.Length >= 8 && 8 + entry.Bytes[4] <= entry.Length)
            {
                var id = Encoding.ASCII.GetString(entry.Bytes, 8, entry.Bytes[4]);
                HasRockRidge |= id is "RRIP_1991A" or "IEEE_P1282" or "IEEE_1282";
            }
            else if (entry.Signature is "PX" or "RR")
            {
                HasRockRidge = true;
            }
        }
    }

    /// <summary>All SUSP entries of a record, following CE continuation areas with loop and size limits.</summary>
    private List<SuspEntry> ReadSystemUse(DirectoryRecord record, string location)
    {
        var area = record.IsSelf && record.SystemUse.Length >= 7 && record.SystemUse[0] == 'S' && record.SystemUse[1] == 'P'
            ? record.SystemUse
            : record.SystemUse.AsSpan(Math.Min(_suspSkip, record.SystemUse.Length)).ToArray();
        var all = new List<SuspEntry>();
        var visited = new HashSet<(uint, uint)>();
        for (var hop = 0; ; hop++)
        {
            _suspBudget -= area.Length;
            if (_suspBudget < 0)
            {
                throw Error(location, "continuation areas add up to more than the image holds (a CE loop?)");
            }

            SuspEntry? continuation = null;
            foreach (var entry in SuspEntry.Parse(area))
            {
                if (entry.Signature == "CE" && entry.Length >= 28)
                {
                    continuation = entry;
                }
                else
                {
                    all.Add(entry);
                }
            }

            if (continuation is not { } ce)
            {
                return all;
            }

            var lba = IsoBytes.ReadLe32(ce.Data);
            var offset = IsoBytes.ReadLe32(ce.Data[8..]);
            var length = IsoBytes.ReadLe32(ce.Data[16..]);
            if (hop >= MaxContinuations || !visited.Add((lba, offset)))
            {
                throw Error(location, $"continuation chain loops or is longer than {MaxContinuations} (CE to LBA {lba} offset {offset})");
            }

            if (offset >= BlockSize || length > 64 * 1024)
            {
                throw Error(location, $"continuation area at LBA {lba} offset {offset} length {length} is not plausible");
            }

            area = new byte[length];
            ReadExactly((lba * (long)BlockSize) + offset, area, $"{location}, continuation area");
        }
    }

    private void ApplySelfAttributes(IsoNode node, DirectoryRecord self, string path)
    {
        node.ModificationTime = self.RecordingDate ?? DateTimeOffset.UnixEpoch;
        if (!HasRockRidge)
        {
            return;
        }

        var rr = RockRidgeAttributes.From(ReadSystemUse(self, $"directory {path}, '.' record at offset {self.ImageOffset}"));
        if (rr.Mode is uint mode)
        {
            node.Mode = UnixMode.Directory | (mode & 0xFFF);
            node.Uid = rr.Uid;
            node.Gid = rr.Gid;
            node.LinkCount = rr.LinkCount;
        }

        node.ModificationTime = rr.ModificationTime ?? node.ModificationTime;
    }

    private void AddChildren(PendingDirectory directory, List<DirectoryRecord> records, Queue<PendingDirectory> queue)
    {
        var path = directory.Node.Path;
        List<IsoExtent>? pendingExtents = null;
        byte[]? pendingIdentifier = null;
        for (var i = 2; i < records.Count; i++)
        {
            var record = records[i];
            var location = $"directory {path}, record at offset {record.ImageOffset}";
            if (record.IsSelf || record.IsParent)
            {
                throw Error(location, "a second '.' or '..' record");
            }

            var isMultiExtentPart = (record.Flags & DirectoryRecord.FlagMultiExtent) != 0;
            if (pendingIdentifier is not null && !pendingIdentifier.AsSpan().SequenceEqual(record.Identifier))
            {
                throw Error(location, "multi-extent file interrupted by another name");
            }

            if (isMultiExtentPart)
            {
                if (record.IsDirectory)
                {
                    throw Error(location, "a directory flagged multi-extent");
                }

                CheckExtent(record.Lba, record.DataLength, location);
                (pendingExtents ??= []).Add(new IsoExtent(record.Lba, record.DataLength));
                pendingIdentifier = record.Identifier;
                continue;
            }

            var extents = pendingExtents ?? [];
            pendingExtents = null;
            pendingIdentifier = null;
            var rr = HasRockRidge ? RockRidgeAttributes.From(ReadSystemUse(record, location)) : null;
            if (rr is { IsRelocated: true })
            {
                continue; // RRIP relocated directory: shown where its CL placeholder is.
            }

            var isoName = DecodeIsoName(record.Identifier, location);
            var name = rr?.Name ?? StripVersion(isoName, record.IsDirectory);
            if (rr is { NameIsSpecial: true })
            {
                throw Error(location, "NM entry marks a regular entry as '.' or '..'");
            }

            ValidateName(name, location);
            var childLink = rr?.ChildLink;
            var isDirectory = record.IsDirectory || childLink is not null;
            var kind = isDirectory ? IsoNodeKind.Directory : rr?.Mode is uint m ? UnixMode.KindOf(m) : IsoNodeKind.File;
            if (kind == IsoNodeKind.Directory && !isDirectory)
            {
                throw Error(location, "Rock Ridge says directory but the record is not flagged as one");
            }

            var node = new IsoNode(directory.Node, name, isoName, kind)
            {
                Mode = rr?.Mode is uint mode ? UnixMode.TypeBits(kind) | (mode & 0xFFF) : UnixMode.TypeBits(kind) | (isDirectory ? 0x16Du : 0x124u),
                Uid = rr?.Uid ?? 0,
                Gid = rr?.Gid ?? 0,
                LinkCount = rr?.LinkCount ?? 1,
                ModificationTime = rr?.ModificationTime ?? record.RecordingDate ?? DateTimeOffset.UnixEpoch,
                DeviceNumber = kind is IsoNodeKind.BlockDevice or IsoNodeKind.CharacterDevice ? rr?.DeviceNumber : null,
                SymlinkTarget = kind == IsoNodeKind.Symlink ? rr?.SymlinkTarget ?? "" : null,
            };
            if (node.SymlinkTarget is { } target && target.Contains('\0', StringComparison.Ordinal))
            {
                throw Error(location, "symlink target contains a NUL byte");
            }

            if (!directory.Node.TryAdd(node))
            {
                throw Error(location, $"duplicate name '{name}'");
            }

            if (isDirectory)
            {
                var lba = childLink ?? record.Lba;
                var size = childLink is null ? record.DataLength : RelocatedDirectorySize(lba, location);
                if (directory.Depth + 1 > MaxDepth)
                {
                    throw Error(location, $"directories nested deeper than {MaxDepth} levels");
                }

                if (!_directoryExtents.Add(lba))
                {
                    throw Error(location, $"directory loop: extent LBA {lba} is already part of the tree");
                }

                node.Extents = [new IsoExtent(lba, size)];
                queue.Enqueue(new PendingDirectory(node, lba, size, directory.Depth + 1));
                continue;
            }

            CheckExtent(record.Lba, record.DataLength, location);
            extents.Add(new IsoExtent(record.Lba, record.DataLength));
            node.Extents = extents;
            node.Size = extents.Sum(e => (long)e.Length);
        }

        if (pendingIdentifier is not null)
        {
            throw Error($"directory {path}", "directory ends inside a multi-extent file");
        }
    }

    private uint RelocatedDirectorySize(uint lba, string location)
    {
        var sector = ReadBlock(lba, $"{location}, CL target");
        var self = DirectoryRecord.Parse(sector.AsSpan(0, Math.Max((int)sector[0], 1)), lba * (long)BlockSize, p => Error($"{location}, CL target LBA {lba}", p));
        if (!self.IsSelf)
        {
            throw Error(location, $"CL points to LBA {lba}, which does not start with a '.' record");
        }

        return self.DataLength;
    }

    private string DecodeIsoName(byte[] identifier, string location)
    {
        foreach (var b in identifier)
        {
            if (b is 0 or (byte)'/')
            {
                throw Error(location, "ISO file identifier contains NUL or '/'");
            }
        }

        return Encoding.Latin1.GetString(identifier);
    }

    private static string StripVersion(string isoName, bool isDirectory)
    {
        var name = isoName;
        if (!isDirectory)
        {
            var semicolon = name.LastIndexOf(';');
            if (semicolon >= 0)
            {
                name = name[..semicolon];
            }

            if (name.EndsWith('.') && name.Length > 1)
            {
                name = name[..^1];
            }
        }

        return name;
    }

    private void ValidateName(string name, string location)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw Error(location, $"entry name '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' is empty, '.', '..' or contains '/' or NUL");
        }
    }
}
