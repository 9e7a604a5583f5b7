namespace Boot2IsoKit.Formats.Squashfs;

/// <summary>The compressor ids of the squashfs 4.0 superblock (squashfs-tools' squashfs_fs.h: ZLIB_COMPRESSION ... ZSTD_COMPRESSION).</summary>
internal enum SquashfsCompression
{
    Gzip = 1,
    Lzma = 2,
    Lzo = 3,
    Xz = 4,
    Lz4 = 5,
    Zstd = 6,
}
