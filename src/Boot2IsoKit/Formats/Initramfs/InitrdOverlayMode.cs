namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>How an overlay is put into a base initrd.</summary>
internal enum InitrdOverlayMode
{
    /// <summary>Base bytes copied untouched, overlay appended as its own gzip'd newc member (fast).</summary>
    Append,

    /// <summary>Base decompressed, entries replaced or inserted, recompressed as the base was (compact, slow).</summary>
    Merge,
}
