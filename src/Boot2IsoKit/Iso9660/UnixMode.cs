namespace Boot2IsoKit.Iso9660;

/// <summary>st_mode type bits as Rock Ridge PX stores them.</summary>
internal static class UnixMode
{
    public const uint TypeMask = 0xF000; // S_IFMT 0170000
    public const uint Socket = 0xC000;
    public const uint Symlink = 0xA000;
    public const uint Regular = 0x8000;
    public const uint Block = 0x6000;
    public const uint Directory = 0x4000;
    public const uint Character = 0x2000;
    public const uint Fifo = 0x1000;

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
