namespace Boot2IsoKit.Model.Rootfs;

/// <summary>
/// The set of additions a recipe makes to the base root filesystem. Later additions to the same path
/// replace earlier ones (as the kernel does with later initramfs members). Enumeration is
/// deterministic and lists every parent directory before its children.
/// </summary>
internal sealed class RootfsOverlay
{
    private readonly Dictionary<string, RootfsEntry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public void Add(RootfsEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = RootfsPath.Normalize(entry.Path);
        _entries[path] = entry with { Path = path };
    }

    public bool TryGet(string path, out RootfsEntry entry) =>
        _entries.TryGetValue(RootfsPath.Normalize(path), out entry!);

    public bool Remove(string path) => _entries.Remove(RootfsPath.Normalize(path));

    /// <summary>
    /// Entries in write order: ordinal by path, which puts "a" before "a/b"; directories a path needs
    /// but nobody added are supplied as root-owned 0755 directories so an archive never names a file
    /// before its parent.
    /// </summary>
    public IReadOnlyList<RootfsEntry> EntriesWithParents()
    {
        var all = new Dictionary<string, RootfsEntry>(_entries, StringComparer.Ordinal);
        foreach (var path in _entries.Keys)
        {
            foreach (var parent in RootfsPath.Parents(path))
            {
                if (!all.ContainsKey(parent))
                {
                    all[parent] = RootfsEntry.Directory(parent, origin: "parent of " + path);
                }
            }
        }

        return [.. all.Values.OrderBy(e => e.Path, PathOrder.Instance)];
    }

    /// <summary>Only the entries that were added, ordinal by path.</summary>
    public IReadOnlyList<RootfsEntry> Entries => [.. _entries.Values.OrderBy(e => e.Path, PathOrder.Instance)];

    /// <summary>Orders by path segments so "a/b" sorts right after "a" and before "a-b" ('/' would sort after '-').</summary>
    private sealed class PathOrder : IComparer<string>
    {
        public static readonly PathOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var xs = (x ?? "").Split('/');
            var ys = (y ?? "").Split('/');
            for (var i = 0; i < Math.Min(xs.Length, ys.Length); i++)
            {
                var c = string.CompareOrdinal(xs[i], ys[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return xs.Length.CompareTo(ys.Length);
        }
    }
}
