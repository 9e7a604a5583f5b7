namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>One archive of a (possibly concatenated) initrd: where it is, how it is stored, what it holds.</summary>
internal sealed record InitrdMember(
    int Index,
    long Offset,
    InitrdCompression Compression,
    long CompressedLength,
    long UncompressedLength,
    int EntryCount);
