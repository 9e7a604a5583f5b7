namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// The bytes of a file that will be written somewhere (into an ISO, a cpio archive, a tar).
/// Content is opened when it is written, never held in memory by the tree that names it.
/// </summary>
internal interface IContentSource
{
    /// <summary>Exact length in bytes; writers lay out space before they open the content.</summary>
    long Length { get; }

    /// <summary>A short description for error messages ("/tmp/x.tgz!docker/dockerd").</summary>
    string Description { get; }

    /// <summary>Opens a fresh read-only stream positioned at the first byte.</summary>
    Stream OpenRead();
}
