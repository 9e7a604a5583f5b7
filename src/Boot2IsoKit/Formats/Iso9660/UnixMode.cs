using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Formats.Iso9660;

/// <summary>st_mode type bits (<see cref="UnixFileType"/>) mapped to the ISO node kinds Rock Ridge PX describes.</summary>
internal static class UnixMode
{
    public const uint TypeMask = UnixFileType.Mask;
    public const uint Socket = UnixFileType.Socket;
    public const uint Symlink = UnixFileType.Symlink;
    public const uint Regular = UnixFileType.Regular;
    public const uint Block = UnixFileType.Block;
    public const uint Directory = UnixFileType.Directory;
    public const uint Character = UnixFileType.Character;
    public const uint Fifo = UnixFileType.Fifo;

    public static IsoNodeKind KindOf(uint mode) => (mode & TypeMask) switch
    {
        Directory => IsoNodeKind.Directory,
        Symlink => IsoNodeKind.Symlink,
        Character => IsoNodeKind.CharacterDevice,
        Block => IsoNodeKind.BlockDevice,
        Fifo => IsoNodeKind.Fifo,
        Socket => IsoNodeKind.Socket,
        _ => IsoNodeKind.File,
    };

    public static uint TypeBits(IsoNodeKind kind) => kind switch
    {
        IsoNodeKind.Directory => Directory,
        IsoNodeKind.Symlink => Symlink,
        IsoNodeKind.CharacterDevice => Character,
        IsoNodeKind.BlockDevice => Block,
        IsoNodeKind.Fifo => Fifo,
        IsoNodeKind.Socket => Socket,
        _ => Regular,
    };
}
