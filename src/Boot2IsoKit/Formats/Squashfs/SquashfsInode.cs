using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Formats.Squashfs;

/// <summary>
/// One inode of a squashfs image, basic or extended (squashfs_fs.h struct squashfs_*_inode_header), with
/// its uid and gid already looked up in the id table. Extended attributes are not read: an extended inode's
/// xattr index is skipped, so xattrs (security capabilities, SELinux labels) are not carried over.
/// </summary>
internal sealed record SquashfsInode
{
    /// <summary>The inode reference that located it: metadata block offset in the inode table &lt;&lt; 16 | offset in the block.</summary>
    public required ulong Reference { get; init; }

    /// <summary>The on-disk type 1..14 (8..14 are the extended forms of 1..7).</summary>
    public required int Type { get; init; }

    public required RootfsEntryKind Kind { get; init; }

    /// <summary>Permission bits 07777.</summary>
    public required int Permissions { get; init; }

    public required uint Uid { get; init; }

    public required uint Gid { get; init; }

    /// <summary>Seconds since the Unix epoch (unsigned 32-bit on disk).</summary>
    public required long ModificationTime { get; init; }

    public required uint Number { get; init; }

    public uint LinkCount { get; init; }

    /// <summary>Bytes of a file; for a symlink the target's length; for a directory its listing size.</summary>
    public long FileSize { get; init; }

    public string? SymlinkTarget { get; init; }

    public int DeviceMajor { get; init; }

    public int DeviceMinor { get; init; }

    internal long BlocksStart { get; init; }

    /// <summary>Stored size words of each full data block (bit 24: stored uncompressed; 0: a sparse block of zeros).</summary>
    internal uint[] BlockSizes { get; init; } = [];

    internal uint FragmentIndex { get; init; } = NoFragment;

    internal int FragmentOffset { get; init; }

    internal uint DirectoryBlock { get; init; }

    internal int DirectoryOffset { get; init; }

    internal const uint NoFragment = uint.MaxValue;

    internal bool HasFragment => FragmentIndex != NoFragment;
}

/// <summary>A path in the image and its inode; a second name of a file's inode is a hard link to the first name.</summary>
internal sealed record SquashfsEntry(string Path, SquashfsInode Inode, string? HardLinkTarget);
