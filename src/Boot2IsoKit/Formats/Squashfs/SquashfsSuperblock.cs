using System.Buffers.Binary;
using System.Numerics;

namespace Boot2IsoKit.Formats.Squashfs;

/// <summary>
/// The 96-byte squashfs 4.0 superblock at offset 0 (little-endian; layout as squashfs-tools' squashfs_fs.h
/// struct squashfs_super_block and the kernel's fs/squashfs/squashfs_fs.h). <see cref="Parse"/> checks
/// every field the reader relies on against the image length, so later reads can trust the table bounds.
/// </summary>
internal sealed record SquashfsSuperblock
{
    public const int Size = 96;
    public const uint Magic = 0x73717368; // "hsqs"
    public const int MinBlockSize = 4096;
    public const int MaxBlockSize = 1 << 20;
    public const ulong NoTable = ulong.MaxValue;

    public required uint InodeCount { get; init; }

    public required uint ModificationTime { get; init; }

    public required int BlockSize { get; init; }

    public required uint FragmentCount { get; init; }

    public required SquashfsCompression Compression { get; init; }

    public required SquashfsFeatures Flags { get; init; }

    public required int IdCount { get; init; }

    public required ulong RootInode { get; init; }

    public required long BytesUsed { get; init; }

    public required long IdTableStart { get; init; }

    public required ulong XattrIdTableStart { get; init; }

    public required long InodeTableStart { get; init; }

    public required long DirectoryTableStart { get; init; }

    public required ulong FragmentTableStart { get; init; }

    public required ulong ExportTableStart { get; init; }

    /// <summary>
    /// Where the directory table ends at the latest: the first table that starts after it (mksquashfs writes
    /// inode table, directory table, fragment table, export table, id table, xattr table in that order).
    /// </summary>
    public long DirectoryTableLimit =>
        (long)new[] { FragmentTableStart, ExportTableStart, (ulong)IdTableStart, XattrIdTableStart, (ulong)BytesUsed }
            .Where(start => start != NoTable && start > (ulong)DirectoryTableStart)
            .Min();

    public static SquashfsSuperblock Parse(ReadOnlySpan<byte> bytes, long imageLength, string input)
    {
        InvalidSquashfsException Error(string problem) => new(input, "superblock", problem);

        if (bytes.Length < Size)
        {
            throw Error($"the image is {bytes.Length} bytes, shorter than the {Size}-byte superblock");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (magic != Magic)
        {
            throw Error(BinaryPrimitives.ReadUInt32BigEndian(bytes) == Magic
                ? "big-endian squashfs (written by squashfs 3.x or older for big-endian machines); only little-endian squashfs 4.0 is read"
                : $"not a squashfs image (magic 0x{magic:X8}, expected 0x{Magic:X8} \"hsqs\")");
        }

        var major = BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]);
        var minor = BinaryPrimitives.ReadUInt16LittleEndian(bytes[30..]);
        if (major != 4 || minor != 0)
        {
            throw Error($"squashfs version {major}.{minor}; only 4.0 (squashfs-tools 4.x, Linux 2.6.29 and later) is read");
        }

        var blockSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        var blockLog = BinaryPrimitives.ReadUInt16LittleEndian(bytes[22..]);
        if (blockSize < MinBlockSize || blockSize > MaxBlockSize || !BitOperations.IsPow2(blockSize))
        {
            throw Error($"block size {blockSize} is not a power of two between {MinBlockSize} and {MaxBlockSize}");
        }

        if (1u << blockLog != blockSize)
        {
            throw Error($"block log {blockLog} does not match block size {blockSize}");
        }

        var compressionId = BinaryPrimitives.ReadUInt16LittleEndian(bytes[20..]);
        if (!Enum.IsDefined((SquashfsCompression)compressionId))
        {
            throw Error($"unknown compressor id {compressionId}");
        }

        var idCount = BinaryPrimitives.ReadUInt16LittleEndian(bytes[26..]);
        if (idCount == 0)
        {
            throw Error("the id (uid/gid) table is empty; every inode needs one");
        }

        var superblock = new SquashfsSuperblock
        {
            InodeCount = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
            ModificationTime = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
            BlockSize = (int)blockSize,
            FragmentCount = BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]),
            Compression = (SquashfsCompression)compressionId,
            Flags = (SquashfsFeatures)BinaryPrimitives.ReadUInt16LittleEndian(bytes[24..]),
            IdCount = idCount,
            RootInode = BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..]),
            BytesUsed = Offset(bytes[40..], "bytes used"),
            IdTableStart = Offset(bytes[48..], "id table start"),
            XattrIdTableStart = BinaryPrimitives.ReadUInt64LittleEndian(bytes[56..]),
            InodeTableStart = Offset(bytes[64..], "inode table start"),
            DirectoryTableStart = Offset(bytes[72..], "directory table start"),
            FragmentTableStart = BinaryPrimitives.ReadUInt64LittleEndian(bytes[80..]),
            ExportTableStart = BinaryPrimitives.ReadUInt64LittleEndian(bytes[88..]),
        };

        if (superblock.BytesUsed > imageLength)
        {
            throw Error($"the superblock says {superblock.BytesUsed} bytes are used, the image has {imageLength} (truncated?)");
        }

        if (superblock.InodeCount == 0)
        {
            throw Error("the inode count is 0; the root directory is an inode");
        }

        if (superblock.InodeTableStart < Size || superblock.InodeTableStart >= superblock.DirectoryTableStart
            || superblock.DirectoryTableStart >= superblock.BytesUsed || superblock.IdTableStart >= superblock.BytesUsed)
        {
            throw Error($"table offsets out of order or past the {superblock.BytesUsed} bytes used: inode table {superblock.InodeTableStart}, "
                + $"directory table {superblock.DirectoryTableStart}, id table {superblock.IdTableStart}");
        }

        if (superblock.FragmentCount > 0 && superblock.FragmentTableStart >= (ulong)superblock.BytesUsed)
        {
            throw Error($"{superblock.FragmentCount} fragments but the fragment table starts at {superblock.FragmentTableStart}, past the {superblock.BytesUsed} bytes used");
        }

        return superblock;

        long Offset(ReadOnlySpan<byte> field, string name)
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(field);
            if (value > (ulong)imageLength)
            {
                throw Error($"{name} {value} lies past the end of the {imageLength}-byte image");
            }

            return (long)value;
        }
    }
}

/// <summary>Superblock flags (squashfs_fs.h SQUASHFS_NOI ... SQUASHFS_COMP_OPT); the reader needs only <see cref="CompressorOptions"/>.</summary>
[Flags]
internal enum SquashfsFeatures
{
    None = 0,
    UncompressedInodes = 0x0001,
    UncompressedData = 0x0002,
    UncompressedFragments = 0x0008,
    NoFragments = 0x0010,
    AlwaysFragments = 0x0020,
    Duplicates = 0x0040,
    Exportable = 0x0080,
    UncompressedXattrs = 0x0100,
    NoXattrs = 0x0200,
    CompressorOptions = 0x0400,
    UncompressedIds = 0x0800,
}
