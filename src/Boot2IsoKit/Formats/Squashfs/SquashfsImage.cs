using System.Buffers.Binary;
using System.Text;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Squashfs;

/// <summary>
/// A squashfs 4.0 image opened for reading (a Tiny Core .tcz, or anything mksquashfs 4.x writes): the
/// superblock, id table and whole directory tree are read and checked when it is opened, so a broken or
/// hostile image fails there with an <see cref="InvalidSquashfsException"/> naming the place; file data is
/// decoded lazily, block by block, through <see cref="OpenFile"/>. Layout as in the kernel's fs/squashfs
/// and squashfs-tools' squashfs_fs.h. Not read: extended attributes (skipped), the export (NFS) table.
/// </summary>
internal sealed class SquashfsImage : IDisposable
{
    /// <summary>PATH_MAX: a longer path could not be created by the kernel, and bounds the tree's depth.</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>SQUASHFS_NAME_LEN.</summary>
    public const int MaxNameBytes = 256;

    /// <summary>Directory entries (names) in one image; Tiny Core's largest extensions have tens of thousands.</summary>
    public const int MaxEntries = 1 << 20;

    /// <summary>
    /// Largest file: the overlay is written as newc cpio, whose size field has 32 bits; the bound also stops
    /// a few bytes of sparse block list from standing for terabytes of zeros.
    /// </summary>
    public const long MaxFileSize = uint.MaxValue;

    private const int DirectoryHeaderMaxCount = 256;
    private const int FragmentEntrySize = 16;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _length;
    private readonly Lock _fragmentLock = new();
    private SquashfsMetadata _metadata = null!;
    private SquashfsDecompressor _decompressor = null!;
    private uint[] _ids = [];
    private (uint Index, byte[] Data)? _lastFragment;

    private SquashfsImage(Stream stream, string name, bool leaveOpen)
    {
        _stream = stream;
        Name = name;
        _leaveOpen = leaveOpen;
        _length = stream.Length;
    }

    /// <summary>The name used in error messages (usually the path).</summary>
    public string Name { get; }

    public SquashfsSuperblock Superblock { get; private set; } = null!;

    public SquashfsInode Root { get; private set; } = null!;

    /// <summary>Every name below the root, each directory before what it holds.</summary>
    public IReadOnlyList<SquashfsEntry> Entries { get; private set; } = [];

    public static SquashfsImage Open(string path) => ImageStreams.OpenFile(path, stream => Open(stream, path, leaveOpen: false));

    public static SquashfsImage Open(Stream stream, string name, bool leaveOpen = false) =>
        ImageStreams.Load(stream, "a squashfs image", leaveOpen, () =>
        {
            var image = new SquashfsImage(stream, name, leaveOpen);
            image.Load();
            return image;
        });

    /// <summary>A regular file's bytes, decoded as they are read.</summary>
    public Stream OpenFile(SquashfsInode inode)
    {
        ArgumentNullException.ThrowIfNull(inode);
        if (inode.Kind != RootfsEntryKind.File)
        {
            throw new ArgumentException($"inode {inode.Number} is a {inode.Kind}, not a file", nameof(inode));
        }

        return new SquashfsFileStream(this, inode);
    }

    /// <summary>
    /// The tree as rootfs entries (the root itself excluded): files read lazily from this image (keep it open
    /// until they are written), a file's second name as a hard link to its first.
    /// </summary>
    public IReadOnlyList<RootfsEntry> ToRootfsEntries(string origin)
    {
        var entries = new List<RootfsEntry>(Entries.Count);
        foreach (var entry in Entries)
        {
            var inode = entry.Inode;
            var rootfs = new RootfsEntry
            {
                Path = entry.Path,
                Kind = entry.HardLinkTarget is null ? inode.Kind : RootfsEntryKind.HardLink,
                Permissions = inode.Permissions,
                Uid = (int)inode.Uid,
                Gid = (int)inode.Gid,
                ModificationTime = inode.ModificationTime,
                Content = inode.Kind == RootfsEntryKind.File && entry.HardLinkTarget is null
                    ? new DelegateContent(inode.FileSize, $"{Name}!{entry.Path}", () => OpenFile(inode))
                    : null,
                LinkTarget = entry.HardLinkTarget ?? inode.SymlinkTarget,
                DeviceMajor = inode.DeviceMajor,
                DeviceMinor = inode.DeviceMinor,
                Origin = origin,
            };
            entries.Add(rootfs);
        }

        return entries;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    internal InvalidSquashfsException Error(string location, string problem) => new(Name, location, problem);

    internal void ReadExactly(long offset, Span<byte> buffer, string what)
    {
        if (offset < 0 || offset + buffer.Length > Superblock.BytesUsed)
        {
            throw Error(what, $"bytes {offset}..{offset + buffer.Length} lie past the {Superblock.BytesUsed} bytes the image uses");
        }

        int read;
        lock (_stream)
        {
            _stream.Position = offset;
            read = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }

        if (read != buffer.Length)
        {
            throw Error(what, $"the image ended while reading {buffer.Length} bytes at offset {offset}");
        }
    }

    /// <summary>Decodes a compressed block into <paramref name="destination"/>; a corrupt block is a typed error at <paramref name="what"/>.</summary>
    internal int Decode(byte[] source, Span<byte> destination, string what)
    {
        try
        {
            return _decompressor.Decompress(source, destination);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidSquashfsException(Name, what, e.Message, e);
        }
    }

    /// <summary>The decoded fragment block <paramref name="index"/>; the last one is kept, since small files share them in order.</summary>
    internal byte[] Fragment(uint index, string what)
    {
        lock (_fragmentLock)
        {
            if (_lastFragment is { } last && last.Index == index)
            {
                return last.Data;
            }

            // The fragment table: an index of 64-bit metadata block positions, 512 16-byte entries per block.
            const int perBlock = SquashfsMetadata.BlockSize / FragmentEntrySize;
            var location = $"{what}: fragment {index}";
            Span<byte> pointer = stackalloc byte[8];
            ReadExactly((long)Superblock.FragmentTableStart + (8L * (index / perBlock)), pointer, location);
            var blockPosition = BinaryPrimitives.ReadUInt64LittleEndian(pointer);
            if (blockPosition >= Superblock.FragmentTableStart)
            {
                throw Error(location, $"fragment table block at {blockPosition} is not before the fragment index at {Superblock.FragmentTableStart}");
            }

            var block = _metadata.Block((long)blockPosition, (long)Superblock.FragmentTableStart, location).Data;
            var at = (int)(index % perBlock) * FragmentEntrySize;
            if (at + FragmentEntrySize > block.Length)
            {
                throw Error(location, "the fragment table block is too short to hold this entry");
            }

            var start = BinaryPrimitives.ReadUInt64LittleEndian(block.AsSpan(at));
            var sizeWord = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(at + 8));
            var data = DataBlock(start, sizeWord, Superblock.BlockSize, exactLength: false, location);
            _lastFragment = (index, data);
            return data;
        }
    }

    /// <summary>
    /// Reads and decodes the data block stored at <paramref name="start"/> with size word <paramref name="sizeWord"/>
    /// (bit 24: stored uncompressed). With <paramref name="exactLength"/> it must decode to exactly <paramref name="length"/> bytes.
    /// </summary>
    internal byte[] DataBlock(ulong start, uint sizeWord, int length, bool exactLength, string what, byte[]? into = null)
    {
        var stored = DataBlockStoredSize(sizeWord, what);
        if (start > (ulong)Superblock.BytesUsed)
        {
            throw Error(what, $"data block at {start} lies past the {Superblock.BytesUsed} bytes the image uses");
        }

        var raw = new byte[stored];
        ReadExactly((long)start, raw, what);
        var destination = into ?? new byte[length];
        int decoded;
        if ((sizeWord & DataUncompressedBit) != 0)
        {
            if (stored > length)
            {
                throw Error(what, $"uncompressed data block of {stored} bytes is larger than {length}");
            }

            raw.CopyTo(destination, 0);
            decoded = stored;
        }
        else
        {
            decoded = Decode(raw, destination.AsSpan(0, length), $"{what}: data block at {start}");
        }

        if (exactLength ? decoded != length : decoded == 0)
        {
            throw Error(what, $"data block at {start} decodes to {decoded} bytes, expected {(exactLength ? length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "1 or more")}");
        }

        return exactLength || decoded == destination.Length ? destination : destination[..decoded];
    }

    internal const uint DataUncompressedBit = 1u << 24;

    /// <summary>The bytes a data block occupies on disk; bits above 24 or a size past the block size are errors.</summary>
    internal int DataBlockStoredSize(uint sizeWord, string what)
    {
        if ((sizeWord & ~(DataUncompressedBit | 0xFFFFFF)) != 0)
        {
            throw Error(what, $"data block size word 0x{sizeWord:X8} has bits above bit 24 set");
        }

        var stored = (int)(sizeWord & 0xFFFFFF);
        if (stored > Superblock.BlockSize)
        {
            throw Error(what, $"data block stored size {stored} is larger than the block size {Superblock.BlockSize}");
        }

        return stored;
    }

    private void Load()
    {
        var header = new byte[SquashfsSuperblock.Size];
        _stream.Position = 0;
        var read = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        Superblock = SquashfsSuperblock.Parse(header.AsSpan(0, read), _length, Name);
        _decompressor = SquashfsDecompressor.For(Superblock.Compression, Name);
        _metadata = new SquashfsMetadata(this);
        CheckCompressorOptions();
        _ids = ReadIds();
        Root = ReadInode(Superblock.RootInode, "root inode");
        if (Root.Kind != RootfsEntryKind.Directory)
        {
            throw Error("root inode", $"the root is a {Root.Kind}, not a directory");
        }

        Entries = ReadTree();
    }

    /// <summary>
    /// Compressor options (a metadata block after the superblock) only matter to the lz4 decoder: squashfs-tools
    /// writes version 1 (LZ4_LEGACY) and knows no other; the other compressors' streams describe themselves.
    /// </summary>
    private void CheckCompressorOptions()
    {
        if (!Superblock.Flags.HasFlag(SquashfsFeatures.CompressorOptions))
        {
            return;
        }

        var options = _metadata.Block(SquashfsSuperblock.Size, Superblock.InodeTableStart, "compressor options").Data;
        if (Superblock.Compression == SquashfsCompression.Lz4 && (options.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(options) != 1))
        {
            throw Error("compressor options", "lz4 options name a format version other than 1 (LZ4_LEGACY), the only one squashfs defines");
        }
    }

    /// <summary>The id table: an index of 64-bit metadata block positions, 2048 32-bit ids per block.</summary>
    private uint[] ReadIds()
    {
        const int perBlock = SquashfsMetadata.BlockSize / 4;
        var count = Superblock.IdCount;
        var ids = new uint[count];
        var blocks = (count + perBlock - 1) / perBlock;
        var index = new byte[8 * blocks];
        ReadExactly(Superblock.IdTableStart, index, "id table index");
        for (var b = 0; b < blocks; b++)
        {
            var position = BinaryPrimitives.ReadUInt64LittleEndian(index.AsSpan(8 * b));
            if (position >= (ulong)Superblock.IdTableStart)
            {
                throw Error("id table index", $"id block {b} at {position} is not before the index at {Superblock.IdTableStart}");
            }

            var data = _metadata.Block((long)position, Superblock.IdTableStart, $"id table block {b}").Data;
            var inBlock = Math.Min(perBlock, count - (b * perBlock));
            if (data.Length < inBlock * 4)
            {
                throw Error($"id table block {b}", $"holds {data.Length / 4} ids, the superblock's count needs {inBlock}");
            }

            for (var i = 0; i < inBlock; i++)
            {
                var id = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4 * i));
                if (id > int.MaxValue)
                {
                    throw Error($"id table block {b}", $"id {id} (entry {(b * perBlock) + i}) is above {int.MaxValue}, which a rootfs entry cannot carry");
                }

                ids[(b * perBlock) + i] = id;
            }
        }

        return ids;
    }

    private SquashfsInode ReadInode(ulong reference, string what)
    {
        var block = reference >> 16;
        var offset = (int)(reference & 0xFFFF);
        var tableSize = Superblock.DirectoryTableStart - Superblock.InodeTableStart;
        var location = $"{what} (inode reference 0x{reference:X})";
        if (block >= (ulong)tableSize || offset >= SquashfsMetadata.BlockSize)
        {
            throw Error(location, $"the reference points outside the {tableSize}-byte inode table");
        }

        var cursor = _metadata.At(Superblock.InodeTableStart + (long)block, offset, Superblock.DirectoryTableStart, location);
        var type = cursor.UInt16();
        var permissions = cursor.UInt16() & 0xFFF;
        var uidIndex = cursor.UInt16();
        var gidIndex = cursor.UInt16();
        var mtime = cursor.UInt32();
        var number = cursor.UInt32();
        if (uidIndex >= _ids.Length || gidIndex >= _ids.Length)
        {
            throw Error(location, $"uid index {uidIndex} or gid index {gidIndex} is past the {_ids.Length}-entry id table");
        }

        if (number == 0 || number > Superblock.InodeCount)
        {
            throw Error(location, $"inode number {number} is outside 1..{Superblock.InodeCount}");
        }

        var inode = new SquashfsInode
        {
            Reference = reference,
            Type = type,
            Kind = RootfsEntryKind.File,
            Permissions = permissions,
            Uid = _ids[uidIndex],
            Gid = _ids[gidIndex],
            ModificationTime = mtime,
            Number = number,
        };

        return type switch
        {
            1 => inode with
            {
                Kind = RootfsEntryKind.Directory,
                DirectoryBlock = cursor.UInt32(),
                LinkCount = cursor.UInt32(),
                FileSize = cursor.UInt16(),
                DirectoryOffset = cursor.UInt16(),
            },
            8 => ReadExtendedDirectory(inode, cursor),
            2 => ReadFile(inode, cursor, extended: false, location),
            9 => ReadFile(inode, cursor, extended: true, location),
            3 or 10 => ReadSymlink(inode, cursor, location),
            4 or 5 or 11 or 12 => ReadDevice(inode, cursor),
            6 or 13 => inode with { Kind = RootfsEntryKind.Fifo, LinkCount = cursor.UInt32() },
            7 or 14 => inode with { Kind = RootfsEntryKind.Socket, LinkCount = cursor.UInt32() },
            _ => throw Error(location, $"unknown inode type {type}"),
        };
    }

    /// <summary>An extended directory: its index (for the kernel's lookups) and xattr index are not needed to list it.</summary>
    private static SquashfsInode ReadExtendedDirectory(SquashfsInode inode, SquashfsMetadata.Cursor cursor)
    {
        var linkCount = cursor.UInt32();
        var fileSize = cursor.UInt32();
        var block = cursor.UInt32();
        _ = cursor.UInt32(); // parent inode number
        _ = cursor.UInt16(); // index count
        var offset = cursor.UInt16();
        return inode with { Kind = RootfsEntryKind.Directory, LinkCount = linkCount, FileSize = fileSize, DirectoryBlock = block, DirectoryOffset = offset };
    }

    private SquashfsInode ReadFile(SquashfsInode inode, SquashfsMetadata.Cursor cursor, bool extended, string location)
    {
        long blocksStart;
        ulong fileSize;
        uint fragment;
        uint fragmentOffset;
        uint linkCount = 1;
        if (extended)
        {
            blocksStart = (long)Math.Min(cursor.UInt64(), long.MaxValue);
            fileSize = cursor.UInt64();
            _ = cursor.UInt64(); // bytes saved by sparse blocks
            linkCount = cursor.UInt32();
            fragment = cursor.UInt32();
            fragmentOffset = cursor.UInt32();
            _ = cursor.UInt32(); // xattr index: xattrs are not read
        }
        else
        {
            blocksStart = cursor.UInt32();
            fragment = cursor.UInt32();
            fragmentOffset = cursor.UInt32();
            fileSize = cursor.UInt32();
        }

        if (fileSize > MaxFileSize)
        {
            throw Error(location, $"file size {fileSize} is over the {MaxFileSize}-byte limit of a newc cpio overlay");
        }

        var blockSize = (ulong)Superblock.BlockSize;
        var hasFragment = fragment != SquashfsInode.NoFragment;
        var blockCount = (int)(hasFragment ? fileSize / blockSize : (fileSize + blockSize - 1) / blockSize);
        if (hasFragment)
        {
            var tail = fileSize % blockSize;
            if (fragment >= Superblock.FragmentCount)
            {
                throw Error(location, $"fragment index {fragment} is past the {Superblock.FragmentCount} fragments");
            }

            if (fragmentOffset + tail > blockSize)
            {
                throw Error(location, $"the file's {tail}-byte tail at fragment offset {fragmentOffset} runs past the {blockSize}-byte fragment block");
            }
        }

        // The block list is read as it is found, so a claimed size cannot allocate more than the metadata that exists.
        if (blockCount > 0 && blocksStart > Superblock.BytesUsed)
        {
            throw Error(location, $"data blocks start at {blocksStart}, past the {Superblock.BytesUsed} bytes the image uses");
        }

        var sizes = new List<uint>(Math.Min(blockCount, SquashfsMetadata.BlockSize / 4));
        var end = blocksStart;
        for (var i = 0; i < blockCount; i++)
        {
            var word = cursor.UInt32();
            end += DataBlockStoredSize(word, location);
            if (end > Superblock.BytesUsed)
            {
                throw Error(location, $"data block {i} ends at {end}, past the {Superblock.BytesUsed} bytes the image uses");
            }

            sizes.Add(word);
        }

        return inode with
        {
            Kind = RootfsEntryKind.File,
            LinkCount = linkCount,
            FileSize = (long)fileSize,
            BlocksStart = blocksStart,
            BlockSizes = [.. sizes],
            FragmentIndex = fragment,
            FragmentOffset = (int)fragmentOffset,
        };
    }

    private SquashfsInode ReadSymlink(SquashfsInode inode, SquashfsMetadata.Cursor cursor, string location)
    {
        var linkCount = cursor.UInt32();
        var size = cursor.UInt32();
        if (size is 0 or > MaxPathBytes)
        {
            throw Error(location, $"symlink target size {size} is outside 1..{MaxPathBytes}");
        }

        var bytes = new byte[size];
        cursor.Read(bytes);
        if (bytes.Contains((byte)0))
        {
            throw Error(location, "symlink target contains a NUL byte");
        }

        return inode with { Kind = RootfsEntryKind.Symlink, LinkCount = linkCount, FileSize = size, SymlinkTarget = Utf8(bytes, location, "symlink target") };
    }

    /// <summary>Device numbers as Linux's new_encode_dev stores them: minor bits 0-7 and 20-31, major bits 8-19.</summary>
    private static SquashfsInode ReadDevice(SquashfsInode inode, SquashfsMetadata.Cursor cursor)
    {
        var linkCount = cursor.UInt32();
        var device = cursor.UInt32();
        var kind = inode.Type is 4 or 11 ? RootfsEntryKind.BlockDevice : RootfsEntryKind.CharacterDevice;
        return inode with
        {
            Kind = kind,
            LinkCount = linkCount,
            DeviceMajor = (int)((device >> 8) & 0xFFF),
            DeviceMinor = (int)((device & 0xFF) | ((device >> 12) & 0xFFF00)),
        };
    }

    /// <summary>
    /// Walks the directory tree from the root. Every directory is listed once (a second reference to one is a
    /// loop, or a hard-linked directory, which no Linux file system has); a non-directory inode reached again
    /// is a hard link to the first name it had.
    /// </summary>
    private List<SquashfsEntry> ReadTree()
    {
        var entries = new List<SquashfsEntry>();
        var listed = new HashSet<ulong> { Root.Reference };
        var firstNames = new Dictionary<ulong, SquashfsEntry>();
        var pending = new Stack<(SquashfsInode Directory, string Path)>();
        pending.Push((Root, ""));
        while (pending.Count > 0)
        {
            var (directory, path) = pending.Pop();
            var subdirectories = new List<(SquashfsInode, string)>();
            foreach (var (name, reference, number, type) in ReadListing(directory, path))
            {
                var childPath = path.Length == 0 ? name : path + "/" + name;
                var location = $"directory '/{path}', entry '{name}'";
                if (Encoding.UTF8.GetByteCount(childPath) + 1 > MaxPathBytes)
                {
                    throw Error(location, $"the path is longer than {MaxPathBytes} bytes (PATH_MAX)");
                }

                if (entries.Count == MaxEntries)
                {
                    throw Error(location, $"the image has more than {MaxEntries} names");
                }

                SquashfsEntry entry;
                if (firstNames.TryGetValue(reference, out var first))
                {
                    entry = new SquashfsEntry(childPath, first.Inode, first.Path);
                }
                else
                {
                    var inode = ReadInode(reference, location);
                    entry = new SquashfsEntry(childPath, inode, null);
                    if (inode.Kind == RootfsEntryKind.Directory)
                    {
                        if (!listed.Add(reference))
                        {
                            throw Error(location, "the directory is reached a second time (a directory loop)");
                        }

                        subdirectories.Add((inode, childPath));
                    }
                    else
                    {
                        firstNames[reference] = entry;
                    }
                }

                if (entry.Inode.Number != number || (entry.Inode.Type > 7 ? entry.Inode.Type - 7 : entry.Inode.Type) != type)
                {
                    throw Error(location, $"the entry names inode {number} of type {type}, the inode it points to is number {entry.Inode.Number} of type {entry.Inode.Type}");
                }

                entries.Add(entry);
            }

            for (var i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }

        return entries;
    }

    /// <summary>
    /// A directory's listing: runs of up to 256 entries, each run a header (count - 1, inode table block,
    /// base inode number) then entries (offset in that block, inode number delta, basic type, name size - 1, name).
    /// The stored size counts 3 bytes more than the listing (for "." and "..", as the kernel reports it).
    /// </summary>
    private IEnumerable<(string Name, ulong Reference, uint Number, int Type)> ReadListing(SquashfsInode directory, string path)
    {
        var location = $"directory '/{path}'";
        if (directory.FileSize < 3)
        {
            throw Error(location, $"listing size {directory.FileSize} is smaller than the 3 bytes an empty directory stores");
        }

        var size = directory.FileSize - 3;
        if (size == 0)
        {
            yield break;
        }

        var tableSize = Superblock.DirectoryTableLimit - Superblock.DirectoryTableStart;
        if (directory.DirectoryBlock >= tableSize || directory.DirectoryOffset >= SquashfsMetadata.BlockSize)
        {
            throw Error(location, $"the listing at block {directory.DirectoryBlock}, offset {directory.DirectoryOffset} lies outside the {tableSize}-byte directory table");
        }

        var cursor = _metadata.At(Superblock.DirectoryTableStart + directory.DirectoryBlock, directory.DirectoryOffset, Superblock.DirectoryTableLimit, location);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var inodeTableSize = (ulong)(Superblock.DirectoryTableStart - Superblock.InodeTableStart);
        long consumed = 0;
        var nameBuffer = new byte[MaxNameBytes];
        while (consumed < size)
        {
            if (size - consumed < 12)
            {
                throw Error(location, $"{size - consumed} bytes left in the listing, too few for a 12-byte header");
            }

            var count = cursor.UInt32() + 1;
            var start = cursor.UInt32();
            var baseNumber = cursor.UInt32();
            consumed += 12;
            if (count > DirectoryHeaderMaxCount)
            {
                throw Error(location, $"a listing header claims {count} entries (at most {DirectoryHeaderMaxCount})");
            }

            if (start >= inodeTableSize)
            {
                throw Error(location, $"a listing header points at inode table block {start}, outside the {inodeTableSize}-byte inode table");
            }

            for (var i = 0; i < count; i++)
            {
                if (size - consumed < 8)
                {
                    throw Error(location, "the listing ends inside an entry");
                }

                var offset = cursor.UInt16();
                var delta = (short)cursor.UInt16();
                var type = cursor.UInt16();
                var nameSize = cursor.UInt16() + 1;
                consumed += 8 + nameSize;
                if (nameSize > MaxNameBytes || consumed > size)
                {
                    throw Error(location, $"an entry's {nameSize}-byte name is longer than {MaxNameBytes} bytes or runs past the listing's {size} bytes");
                }

                var nameBytes = nameBuffer.AsSpan(0, nameSize);
                cursor.Read(nameBytes);
                var name = CheckName(nameBytes, location);
                if (!names.Add(name))
                {
                    throw Error(location, $"the name '{name}' appears twice");
                }

                if (type is < 1 or > 7)
                {
                    throw Error($"{location}, entry '{name}'", $"unknown entry type {type}");
                }

                yield return (name, ((ulong)start << 16) | offset, (uint)(baseNumber + delta), type);
            }
        }
    }

    private string CheckName(ReadOnlySpan<byte> bytes, string location)
    {
        var name = Utf8(bytes, location, "a name");
        if (bytes.Contains((byte)0) || bytes.Contains((byte)'/') || name is "." or "..")
        {
            throw Error(location, $"the name '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' contains '/' or NUL, or is '.' or '..'");
        }

        return name;
    }

    private string Utf8(ReadOnlySpan<byte> bytes, string location, string what)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error(location, $"{what} is not valid UTF-8 ({Convert.ToHexString(bytes[..Math.Min(bytes.Length, 32)])})");
        }
    }
}
