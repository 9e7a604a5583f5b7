namespace Boot2IsoKit.Model.Rootfs;

/// <summary>The kinds of file a Linux root filesystem (and so an initramfs) can hold.</summary>
internal enum RootfsEntryKind
{
    Directory,
    File,
    Symlink,
    HardLink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
}
