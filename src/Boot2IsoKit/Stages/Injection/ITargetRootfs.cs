namespace Boot2IsoKit.Stages.Injection;

/// <summary>
/// A read-only view of a root filesystem: the base rootfs a binary is injected into (listed from the
/// base initrd), or a donor root. Paths are absolute inside the rootfs ("/lib/libc.so.6"); nothing
/// here follows symlinks — <see cref="RootfsPathResolver"/> does that, without ever leaving the root.
/// </summary>
internal interface ITargetRootfs
{
    /// <summary>A short name for messages ("base initrd of boot2docker-v19.03.12.iso").</summary>
    string Description { get; }

    /// <summary>True when an entry of any kind exists at exactly this path (a symlink counts, dangling or not).</summary>
    bool Exists(string path);

    bool IsSymlink(string path);

    /// <summary>The stored target of the symlink at <paramref name="path"/>, or null when it is not a symlink.</summary>
    string? LinkTarget(string path);

    bool IsDirectory(string path);

    /// <summary>Opens a regular file; the stream must be seekable (ELF reading seeks).</summary>
    Stream OpenRead(string path);

    /// <summary>Names of the entries of a directory (for ld.so.conf include globs); empty when unknown.</summary>
    IEnumerable<string> List(string directory);
}
