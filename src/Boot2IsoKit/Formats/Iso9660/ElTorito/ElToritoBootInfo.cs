namespace Boot2IsoKit.Formats.Iso9660.ElTorito;

/// <summary>The El Torito setup of an image: boot record, catalog and its default (initial) entry.</summary>
internal sealed record ElToritoBootInfo(
    byte Platform,
    bool Bootable,
    byte Media,
    ushort LoadSegment,
    ushort LoadSize,
    uint LoadRba,
    uint CatalogLba,
    string? CatalogPath,
    IsoNode? BootImage);

/// <summary>
/// The catalog's default (initial) entry as the reader accepts it: a valid validation entry, then boot indicator 0x88
/// (<see cref="Bootable"/>) or 0x00, and a load RBA inside the image.
/// </summary>
internal sealed record ElToritoDefaultEntry(
    uint CatalogLba,
    byte Platform,
    bool Bootable,
    byte Media,
    ushort LoadSegment,
    ushort LoadSize,
    uint LoadRba);

/// <summary>
/// The 56 bytes ISOLINUX expects at byte 8 of its boot file (mkisofs -boot-info-table).
/// <see cref="Verifies"/> is true when bi_file, bi_length and the checksum of bytes 64..end agree with the image.
/// </summary>
internal sealed record BootInfoTable(uint PvdLba, uint FileLba, uint FileLength, uint Checksum, bool Verifies);
