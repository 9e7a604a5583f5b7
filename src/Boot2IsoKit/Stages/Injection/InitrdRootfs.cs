using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Stages.Injection;

/// <summary>
/// The base initrd seen as a root filesystem, so the library injector can check what the base already
/// provides (by path and soname) and read its C library's version definitions.
/// </summary>
internal sealed class InitrdRootfs(InitrdContents contents, string description) : ITargetRootfs
{
    public string Description { get; } = description;

    public bool Exists(string path) => Entry(path) is not null || IsImplicitDirectory(path);

    public bool IsSymlink(string path) => Entry(path)?.Header.Kind == RootfsEntryKind.Symlink;

    public string? LinkTarget(string path) => Entry(path) is { Header.Kind: RootfsEntryKind.Symlink } entry ? entry.SymlinkTarget : null;

    public bool IsDirectory(string path) => Entry(path)?.Header.Kind == RootfsEntryKind.Directory || IsImplicitDirectory(path);

    public Stream OpenRead(string path)
    {
        var entry = Entry(path) ?? throw new FileNotFoundException($"{Description}: no /{Key(path)}");
        var bytes = entry.Header.Kind == RootfsEntryKind.File ? entry.Data ?? (entry.Header.FileSize == 0 ? [] : null) : null;
        return bytes is null
            ? throw new FileNotFoundException($"{Description}: the bytes of /{entry.Path} were not kept when the initrd was read")
            : new MemoryStream(bytes, writable: false);
    }

    public IEnumerable<string> List(string directory)
    {
        var prefix = Key(directory) is { Length: > 0 } key ? key + "/" : "";
        return contents.Entries
            .Select(e => e.Path)
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.Length > prefix.Length && !p[prefix.Length..].Contains('/', StringComparison.Ordinal))
            .Select(p => p[prefix.Length..]);
    }

    private InitrdEntry? Entry(string path) => Key(path) is { Length: > 0 } key ? contents.Find(key) : null;

    /// <summary>The root, and directories an archive implies by naming files below them.</summary>
    private bool IsImplicitDirectory(string path)
    {
        var key = Key(path);
        return key.Length == 0 || contents.Entries.Any(e => e.Path.StartsWith(key + "/", StringComparison.Ordinal));
    }

    private static string Key(string path) => path.Trim('/');
}
