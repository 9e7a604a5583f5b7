using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>
/// Writes the files of a build context and remembers each path's kind and mode, so the tar sent to the
/// engine does not depend on what the host file system can store (Windows has no modes or cheap symlinks).
/// </summary>
internal sealed class ContextWriter
{
    private readonly string _root;
    private readonly DateTime _mtime;
    private readonly Dictionary<string, ContextEntry> _entries = new(StringComparer.Ordinal);

    public ContextWriter(string root, long timestamp)
    {
        _root = root;
        _mtime = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime;
        System.IO.Directory.CreateDirectory(root);
    }

    public void Directory(string path, int mode)
    {
        System.IO.Directory.CreateDirectory(FullPath(path));
        Add(new ContextEntry(path, RootfsEntryKind.Directory, mode));
    }

    public void WriteText(string path, string text, int mode) =>
        CopyContent(path, BytesContent.FromText(text, path), mode);

    public void CopyFile(string path, string source, int mode) => CopyContent(path, new FileContent(source), mode);

    public void CopyContent(string path, IContentSource content, int mode)
    {
        EnsureParents(path);
        var full = FullPath(path);
        using (var input = content.OpenRead())
        using (var output = new FileStream(full, FileMode.CreateNew, FileAccess.Write))
        {
            input.CopyTo(output);
        }

        Add(new ContextEntry(path, RootfsEntryKind.File, mode));
    }

    public void Symlink(string path, string target)
    {
        EnsureParents(path);
        File.CreateSymbolicLink(FullPath(path), target);
        Add(new ContextEntry(path, RootfsEntryKind.Symlink, 0x1FF, target));
    }

    /// <summary>All entries, parents first, ordered by path segments; disk modes and mtimes are applied last (a read-only directory would block its children).</summary>
    public IReadOnlyList<ContextEntry> Entries()
    {
        var ordered = _entries.Values.OrderBy(e => e.Path.Split('/'), SegmentComparer.Instance).ToList();
        foreach (var entry in Enumerable.Reverse(ordered))
        {
            var full = FullPath(entry.Path);
            if (entry.Kind == RootfsEntryKind.Symlink)
            {
                continue;
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(full, (UnixFileMode)entry.Mode);
            }

            if (entry.Kind == RootfsEntryKind.Directory)
            {
                System.IO.Directory.SetLastWriteTimeUtc(full, _mtime);
            }
            else
            {
                File.SetLastWriteTimeUtc(full, _mtime);
            }
        }

        return ordered;
    }

    private void EnsureParents(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash > 0 && !_entries.ContainsKey(path[..slash]))
        {
            EnsureParents(path[..slash]);
            Directory(path[..slash], 0x1ED);
        }
    }

    private void Add(ContextEntry entry) => _entries[entry.Path] = entry;

    private string FullPath(string path) => Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));

    private sealed class SegmentComparer : IComparer<string[]>
    {
        public static readonly SegmentComparer Instance = new();

        public int Compare(string[]? x, string[]? y)
        {
            x ??= [];
            y ??= [];
            for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                var c = string.CompareOrdinal(x[i], y[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return x.Length.CompareTo(y.Length);
        }
    }
}
