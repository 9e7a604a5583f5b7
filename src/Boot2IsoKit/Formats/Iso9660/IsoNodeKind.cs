namespace Boot2IsoKit.Formats.Iso9660;

/// <summary>What a node is, taken from the Rock Ridge PX mode when present, else from the directory flag.</summary>
internal enum IsoNodeKind
{
    File,
    Directory,
    Symlink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
}
