namespace Boot2IsoKit.Formats.Iso9660.Building;

/// <summary>Progress of <see cref="IsoBuilder.Build"/>: bytes of the image written so far, of the total.</summary>
internal readonly record struct IsoBuildProgress(long BytesWritten, long TotalBytes, string? CurrentPath);
