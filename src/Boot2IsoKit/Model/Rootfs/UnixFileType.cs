namespace Boot2IsoKit.Model.Rootfs;

/// <summary>
/// The file-type bits of st_mode (S_IFMT), as newc cpio headers and Rock Ridge PX entries both store them:
/// one table for every format that carries a Unix mode.
/// </summary>
internal static class UnixFileType
{
    public const int Mask = 0xF000; // S_IFMT 0170000
    public const int Socket = 0xC000;
    public const int Symlink = 0xA000;
    public const int Regular = 0x8000;
    public const int Block = 0x6000;
    public const int Directory = 0x4000;
    public const int Character = 0x2000;
    public const int Fifo = 0x1000;

    /// <summary>The kind a mode's type bits name, or null for type bits no Unix file has.</summary>
    public static RootfsEntryKind? KindOf(int mode) => (mode & Mask) switch
    {
        Directory => RootfsEntryKind.Directory,
        Regular => RootfsEntryKind.File,
        Symlink => RootfsEntryKind.Symlink,
        Character => RootfsEntryKind.CharacterDevice,
        Block => RootfsEntryKind.BlockDevice,
        Fifo => RootfsEntryKind.Fifo,
        Socket => RootfsEntryKind.Socket,
        _ => null,
    };

    /// <summary>The type bits of a kind; a hard link is a regular file.</summary>
    public static int TypeBits(RootfsEntryKind kind) => kind switch
    {
        RootfsEntryKind.Directory => Directory,
        RootfsEntryKind.File or RootfsEntryKind.HardLink => Regular,
        RootfsEntryKind.Symlink => Symlink,
        RootfsEntryKind.CharacterDevice => Character,
        RootfsEntryKind.BlockDevice => Block,
        RootfsEntryKind.Fifo => Fifo,
        RootfsEntryKind.Socket => Socket,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a file type"),
    };
}
