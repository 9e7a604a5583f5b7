using Boot2IsoKit.Formats.Elf;

namespace Boot2IsoKit.Stages.Injection;

/// <summary>A library found for a DT_NEEDED name.</summary>
/// <param name="Name">The DT_NEEDED name (normally the soname, "libnl-3.so.200").</param>
/// <param name="FoundPath">Where the loader finds it ("/lib/x86_64-linux-gnu/libnl-3.so.200", often a symlink).</param>
/// <param name="RealPath">The file behind it, symlinks resolved inside the rootfs.</param>
/// <param name="NeededBy">The first object that named it.</param>
internal sealed record ResolvedLibrary(string Name, string FoundPath, string RealPath, ElfFile Elf, string NeededBy);

/// <summary>An executable (or library) and the transitive closure of what it loads, in load order.</summary>
internal sealed record LibraryClosure(string Path, string RealPath, ElfFile Elf, IReadOnlyList<ResolvedLibrary> Libraries);

/// <summary>
/// Finds libraries inside a rootfs the way glibc's ld.so does: DT_RPATH (of the object, then of the
/// executable, only when the object has no DT_RUNPATH), DT_RUNPATH, the rootfs's /etc/ld.so.conf
/// directories (standing in for ld.so.cache), then the default directories; a candidate of another
/// ELF class or machine is skipped, as the loader does. LD_LIBRARY_PATH is not consulted: the build
/// host's environment says nothing about the target.
/// </summary>
internal sealed class LibrarySearch
{
    /// <summary>Where glibc looks last (Debian multiarch adds the x86_64-linux-gnu and i386-linux-gnu ones).</summary>
    public static readonly IReadOnlyList<string> DefaultDirectories =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
        "/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu", "/lib32", "/usr/lib32",
        "/lib", "/usr/lib",
    ];

    private const int MaxConfigFiles = 256;

    private readonly ITargetRootfs _rootfs;
    private readonly Dictionary<string, ElfFile?> _elfCache = new(StringComparer.Ordinal);

    public LibrarySearch(ITargetRootfs rootfs)
    {
        _rootfs = rootfs;
        ConfiguredDirectories = ReadLdSoConf();
    }

    /// <summary>Directories from the rootfs's /etc/ld.so.conf and its includes, in order.</summary>
    public IReadOnlyList<string> ConfiguredDirectories { get; }

    public ITargetRootfs Rootfs => _rootfs;

    /// <summary>Resolves <paramref name="path"/> and every library it loads, recursively.</summary>
    public LibraryClosure Closure(string path)
    {
        var realPath = RootfsPathResolver.Resolve(_rootfs, path)
            ?? throw new LibraryResolutionException($"{path} does not exist in {_rootfs.Description}");
        var elf = ReadElf(realPath) ?? throw new LibraryResolutionException($"{path} in {_rootfs.Description} is not an ELF file");
        var libraries = new List<ResolvedLibrary>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<(string Path, ElfFile Elf)>();

        // The executable's $ORIGIN is the directory of its real path (the kernel hands ld.so the resolved file).
        queue.Enqueue((realPath, elf));
        while (queue.Count > 0)
        {
            var (objectPath, objectElf) = queue.Dequeue();
            foreach (var name in objectElf.Needed)
            {
                if (!seen.Add(name))
                {
                    continue;
                }

                var found = Find(name, objectPath, objectElf, elf, realPath)
                    ?? throw new LibraryResolutionException(
                        $"{name}, needed by {objectPath}, is not in {_rootfs.Description} " +
                        $"(searched rpath/runpath, ld.so.conf [{string.Join(", ", ConfiguredDirectories)}] and the default directories " +
                        $"for {objectElf.ArchitectureDescription}); add the package that provides it");
                libraries.Add(found with { NeededBy = objectPath });
                queue.Enqueue((found.FoundPath, found.Elf));
            }
        }

        return new LibraryClosure(path, realPath, elf, libraries);
    }

    /// <summary>Finds one DT_NEEDED name for <paramref name="requester"/>; null when the loader would fail.</summary>
    public ResolvedLibrary? Find(string name, string requesterPath, ElfFile requester, ElfFile? executable = null, string? executablePath = null)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return Candidate(RootfsPathResolver.Combine("/", name), name, requester, requesterPath);
        }

        foreach (var directory in SearchDirectories(requesterPath, requester, executable, executablePath))
        {
            if (Candidate(RootfsPathResolver.Combine(directory, name), name, requester, requesterPath) is { } hit)
            {
                return hit;
            }
        }

        return null;
    }

    /// <summary>The search order for libraries needed by <paramref name="requester"/>.</summary>
    public IEnumerable<string> SearchDirectories(string requesterPath, ElfFile requester, ElfFile? executable = null, string? executablePath = null)
    {
        var origin = RootfsPathResolver.Directory(requesterPath);
        if (requester.RunPath is null)
        {
            foreach (var directory in Expand(requester.RPath, origin))
            {
                yield return directory;
            }

            if (executable is not null && !ReferenceEquals(executable, requester) && executable.RunPath is null)
            {
                var executableOrigin = executablePath is null ? origin : RootfsPathResolver.Directory(executablePath);
                foreach (var directory in Expand(executable.RPath, executableOrigin))
                {
                    yield return directory;
                }
            }
        }

        foreach (var directory in Expand(requester.RunPath, origin))
        {
            yield return directory;
        }

        foreach (var directory in ConfiguredDirectories.Concat(DefaultDirectories))
        {
            yield return directory;
        }
    }

    /// <summary>Splits an rpath/runpath and substitutes $ORIGIN; entries with $LIB or $PLATFORM are skipped (host-dependent).</summary>
    internal static IEnumerable<string> Expand(string? searchPath, string origin)
    {
        if (string.IsNullOrEmpty(searchPath))
        {
            yield break;
        }

        foreach (var entry in searchPath.Split(':'))
        {
            var expanded = entry.Replace("${ORIGIN}", origin, StringComparison.Ordinal).Replace("$ORIGIN", origin, StringComparison.Ordinal);
            if (expanded.Length == 0 || expanded.Contains('$', StringComparison.Ordinal))
            {
                continue;
            }

            yield return RootfsPathResolver.Combine("/", expanded);
        }
    }

    private ResolvedLibrary? Candidate(string path, string name, ElfFile requester, string requesterPath)
    {
        var realPath = RootfsPathResolver.Resolve(_rootfs, path);
        if (realPath is null || _rootfs.IsDirectory(realPath))
        {
            return null;
        }

        var elf = ReadElf(realPath);
        if (elf is null || elf.Class != requester.Class || elf.Machine != requester.Machine || elf.ByteOrder != requester.ByteOrder)
        {
            return null;
        }

        return new ResolvedLibrary(name, path, realPath, elf, requesterPath);
    }

    /// <summary>Reads (once) the ELF file at a resolved path; null when it is not an ELF file.</summary>
    internal ElfFile? ReadElf(string realPath)
    {
        if (_elfCache.TryGetValue(realPath, out var cached))
        {
            return cached;
        }

        ElfFile? elf;
        try
        {
            using var stream = _rootfs.OpenRead(realPath);
            Span<byte> magic = stackalloc byte[4];
            elf = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("\u007fELF"u8)
                ? ElfFile.Read(stream, _rootfs.Description.TrimEnd('/') + realPath)
                : null;
        }
        catch (InvalidElfException)
        {
            // A broken candidate is skipped, as ld.so skips it ("invalid ELF header"), and the search goes on.
            elf = null;
        }

        _elfCache[realPath] = elf;
        return elf;
    }

    private List<string> ReadLdSoConf()
    {
        var directories = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        ReadConfig("/etc/ld.so.conf", directories, visited);
        return [.. directories.Distinct(StringComparer.Ordinal)];
    }

    private void ReadConfig(string path, List<string> directories, HashSet<string> visited)
    {
        var real = RootfsPathResolver.Resolve(_rootfs, path);
        if (real is null || _rootfs.IsDirectory(real) || visited.Count >= MaxConfigFiles || !visited.Add(real))
        {
            return;
        }

        using var reader = new StreamReader(_rootfs.OpenRead(real));
        while (reader.ReadLine() is { } raw)
        {
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0 || line.StartsWith("hwcap ", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith("include", StringComparison.Ordinal) && line.Length > 7 && char.IsWhiteSpace(line[7]))
            {
                foreach (var pattern in line[8..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                {
                    foreach (var included in Glob(RootfsPathResolver.Combine(RootfsPathResolver.Directory(path), pattern)))
                    {
                        ReadConfig(included, directories, visited);
                    }
                }

                continue;
            }

            foreach (var directory in line.Split([':', ',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (directory.StartsWith('/'))
                {
                    directories.Add(RootfsPathResolver.Combine("/", directory));
                }
            }
        }
    }

    /// <summary>Expands a '*'/'?' pattern in the last path segment (what ld.so.conf includes use), sorted like glob(3).</summary>
    private IEnumerable<string> Glob(string pattern)
    {
        var directory = RootfsPathResolver.Directory(pattern);
        var namePattern = pattern[(pattern.LastIndexOf('/') + 1)..];
        if (!namePattern.Contains('*', StringComparison.Ordinal) && !namePattern.Contains('?', StringComparison.Ordinal))
        {
            return [pattern];
        }

        var realDirectory = RootfsPathResolver.Resolve(_rootfs, directory);
        if (realDirectory is null)
        {
            return [];
        }

        return _rootfs.List(realDirectory)
            .Where(n => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(namePattern, n, ignoreCase: false))
            .Order(StringComparer.Ordinal)
            .Select(n => RootfsPathResolver.Combine(realDirectory, n));
    }
}
