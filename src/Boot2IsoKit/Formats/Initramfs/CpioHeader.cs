using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// One newc ("070701") or newc-with-checksum ("070702") header. <see cref="Name"/> is the name as stored
/// for raw headers the writer is given, and the normalized rootfs path for headers the reader returns.
/// </summary>
internal sealed record CpioHeader
{
    /// <summary>The name that ends an archive.</summary>
    public const string TrailerName = "TRAILER!!!";

    public required string Name { get; init; }

    /// <summary>st_mode: file type bits (S_IFMT) and permission bits together.</summary>
    public required int Mode { get; init; }

    public long Inode { get; init; }

    public int Uid { get; init; }

    public int Gid { get; init; }

    public int LinkCount { get; init; } = 1;

    /// <summary>Seconds since the Unix epoch.</summary>
    public long ModificationTime { get; init; }

    /// <summary>Bytes of data after the name: file contents, or the target of a symlink.</summary>
    public long FileSize { get; init; }

    public int DevMajor { get; init; }

    public int DevMinor { get; init; }

    public int RDevMajor { get; init; }

    public int RDevMinor { get; init; }

    /// <summary>Sum of the data bytes, only meaningful in "070702" archives.</summary>
    public uint Checksum { get; init; }

    public bool HasChecksum { get; init; }

    public int Permissions => Mode & 0xFFF;

    public RootfsEntryKind Kind => KindOf(Mode);

    internal static RootfsEntryKind KindOf(int mode) => UnixFileType.KindOf(mode) ?? (RootfsEntryKind)(-1);

    internal static int TypeBitsOf(RootfsEntryKind kind) => UnixFileType.TypeBits(kind);
}
