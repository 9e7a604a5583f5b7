namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// A path of the unpacked initramfs as the kernel leaves it: the definition of the last member that
/// names it. <see cref="Data"/> holds the bytes of files the reader was asked to keep (small files
/// under etc/ by default), null otherwise.
/// </summary>
internal sealed record InitrdEntry(string Path, CpioHeader Header, string? SymlinkTarget, int MemberIndex, byte[]? Data);
