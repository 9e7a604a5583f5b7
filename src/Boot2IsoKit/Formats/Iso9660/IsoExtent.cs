namespace Boot2IsoKit.Formats.Iso9660;

/// <summary>One contiguous run of a file's data: first 2048-byte block and length in bytes.</summary>
internal readonly record struct IsoExtent(uint Lba, uint Length);
