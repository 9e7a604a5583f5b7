namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>How one member of an initrd is stored, by the magic bytes the kernel looks at (lib/decompress.c).</summary>
public enum InitrdCompression
{
    /// <summary>A plain newc cpio archive ("070701" at a 4-byte aligned offset).</summary>
    None,
    Gzip,

    /// <summary>Legacy ".lzma" (LZMA-alone, "xz --format=lzma"), as boot2docker ships its initrd.</summary>
    Lzma,

    /// <summary>xz; the kernel only accepts the CRC32 or no integrity check.</summary>
    Xz,
    Zstd,

    /// <summary>Recognised but not decoded by Boot2IsoKit.</summary>
    Bzip2,

    /// <summary>Recognised but not decoded by Boot2IsoKit.</summary>
    Lzo,

    /// <summary>Recognised but not decoded by Boot2IsoKit.</summary>
    Lz4,
}
