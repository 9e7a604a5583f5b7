namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>What <see cref="InitrdOverlayWriter"/> did.</summary>
/// <param name="Mode">The mode used.</param>
/// <param name="OutputCompression">Compression of the member(s) written (for Append: of the overlay member).</param>
/// <param name="BaseLength">Bytes of the base initrd.</param>
/// <param name="OutputLength">Bytes of the new initrd.</param>
/// <param name="EntriesAdded">Overlay entries for paths the base did not have (Append: all overlay entries written).</param>
/// <param name="EntriesReplaced">Base entries the overlay replaced (Merge only; Append leaves the base untouched).</param>
/// <param name="Notes">Anything the caller should tell the user, e.g. a compression fallback.</param>
internal sealed record InitrdOverlayResult(
    InitrdOverlayMode Mode,
    InitrdCompression OutputCompression,
    long BaseLength,
    long OutputLength,
    int EntriesAdded,
    int EntriesReplaced,
    IReadOnlyList<string> Notes)
{
    /// <summary>Bytes the new initrd adds to the base (negative when a merge made it smaller).</summary>
    public long Growth => OutputLength - BaseLength;
}

/// <summary>Progress of an overlay write: a stage name and bytes of output written so far.</summary>
internal sealed record InitrdOverlayProgress(string Stage, long OutputBytes);
