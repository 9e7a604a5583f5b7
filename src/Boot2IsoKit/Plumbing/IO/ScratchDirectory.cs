namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// A private work directory that says it is in use: it holds its lock file open, exclusively, for its
/// whole life. A run killed before it could clean up (SIGKILL, power loss) releases the lock with its
/// process, so the next run finds the directory unlocked and removes it (<see cref="RemoveStale"/>).
/// The lock is the operating system's (flock on Unix, a sharing lock on Windows): pid reuse cannot fool it.
/// </summary>
internal sealed class ScratchDirectory : IDisposable
{
    /// <summary>The lock file inside every scratch directory.</summary>
    public const string LockFileName = ".b2ik-lock";

    /// <summary>A directory without a lock file is stale only when older than this (it may be being made).</summary>
    private static readonly TimeSpan UnlockedGrace = TimeSpan.FromMinutes(10);

    private readonly FileStream _lock;

    private ScratchDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    public string Path { get; }

    /// <summary>Creates <paramref name="path"/> and takes its lock.</summary>
    public static ScratchDirectory Create(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(full);
        var lockFile = new FileStream(System.IO.Path.Combine(full, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        return new ScratchDirectory(full, lockFile);
    }

    public void Dispose()
    {
        _lock.Dispose();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    /// <summary>
    /// Removes the directories (by their lock file) and the files (by their own lock: a writer holds them
    /// open exclusively, as <see cref="AtomicFile"/> does) in <paramref name="parent"/> that match
    /// <paramref name="pattern"/> and that no living process holds. Returns what was removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string parent, string pattern)
    {
        var removed = new List<string>();
        if (!Directory.Exists(parent))
        {
            return removed;
        }

        foreach (var directory in Directory.EnumerateDirectories(parent, pattern))
        {
            if (TryRemoveDirectory(directory))
            {
                removed.Add(directory);
            }
        }

        foreach (var file in Directory.EnumerateFiles(parent, pattern))
        {
            if (TryTake(file))
            {
                TryDelete(() => File.Delete(file), file, removed);
            }
        }

        return removed;
    }

    private static bool TryRemoveDirectory(string directory)
    {
        var lockPath = System.IO.Path.Combine(directory, LockFileName);
        var stale = File.Exists(lockPath)
            ? TryTake(lockPath)
            : DateTime.UtcNow - Directory.GetLastWriteTimeUtc(directory) > UnlockedGrace;
        if (!stale)
        {
            return false;
        }

        var removed = new List<string>();
        TryDelete(() => Directory.Delete(directory, recursive: true), directory, removed);
        return removed.Count > 0;
    }

    /// <summary>Whether the file's exclusive lock could be taken, i.e. no process holds it (released again at once).</summary>
    private static bool TryTake(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false; // Held by a living run (or gone meanwhile).
        }
        catch (UnauthorizedAccessException)
        {
            return false; // Someone else's: not ours to remove.
        }
    }

    private static void TryDelete(Action delete, string path, List<string> removed)
    {
        try
        {
            delete();
            removed.Add(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another run removed it first, or it is not ours: leave it.
        }
    }
}
