namespace Boot2IsoKit.Stages.Injection;

/// <summary>
/// Resolves symlinks the way the kernel would inside a chroot: absolute link targets start again at the
/// rootfs root and ".." never climbs above it, so a donor's "/lib -> usr/lib" or a hostile
/// "evil -> ../../../etc" both stay inside the rootfs.
/// </summary>
internal static class RootfsPathResolver
{
    private const int MaxLinks = 40; // the Linux limit (MAXSYMLINKS)

    /// <summary>The canonical absolute path of an existing entry with every symlink resolved, or null.</summary>
    public static string? Resolve(ITargetRootfs rootfs, string path)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        var pending = new Stack<string>(Split(path).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var segment = pending.Pop();
            if (segment == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = "/" + string.Join('/', resolved.Append(segment));
            if (!rootfs.Exists(candidate))
            {
                return null;
            }

            if (rootfs.LinkTarget(candidate) is { } target)
            {
                if (++links > MaxLinks)
                {
                    return null;
                }

                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                foreach (var part in Split(target).Reverse())
                {
                    pending.Push(part);
                }

                continue;
            }

            resolved.Add(segment);
        }

        return "/" + string.Join('/', resolved);
    }

    /// <summary>Joins and normalises ("." and empty segments dropped, ".." applied lexically, clamped at the root).</summary>
    public static string Combine(string directory, string name)
    {
        var parts = new List<string>();
        foreach (var segment in Split(name.StartsWith('/') ? name : directory + "/" + name))
        {
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else
            {
                parts.Add(segment);
            }
        }

        return "/" + string.Join('/', parts);
    }

    public static string Directory(string path)
    {
        var index = path.TrimEnd('/').LastIndexOf('/');
        return index <= 0 ? "/" : path[..index];
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".");
}
