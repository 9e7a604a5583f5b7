using System.Formats.Tar;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// Extracts a tar stream into a directory without ever writing outside it: names that are absolute or
/// contain "..", relative symlinks that climb above the root, hard links to outside names, and writes
/// through an already-extracted symlink are all refused. Absolute symlink targets are kept verbatim:
/// they are rootfs-absolute (the toolkit resolves them inside the root, see RootfsPathResolver).
/// Permission bits (setuid included, as dpkg-deb -x does) and modification times are kept; device
/// nodes and fifos are skipped.
/// </summary>
internal static class SafeTarExtractor
{
    public static IReadOnlyList<string> Extract(TarReader tar, string directory, string input)
    {
        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var written = new List<string>();
        var directoryModes = new List<(string Path, UnixFileMode Mode, DateTimeOffset Time)>();
        while (tar.GetNextEntry() is { } entry)
        {
            var name = Normalize(entry.Name, input, entry.Name);
            if (name is null)
            {
                continue; // "./" itself
            }

            var target = Path.Combine(root, name.Replace('/', Path.DirectorySeparatorChar));
            EnsureParents(root, name, input);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (new FileInfo(target).LinkTarget is not null)
                    {
                        throw new InvalidDebianInputException(input, entry.Name, "directory entry replaces a symlink");
                    }

                    Directory.CreateDirectory(target);
                    directoryModes.Add((target, entry.Mode, entry.ModificationTime));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    RemoveExisting(target);
                    using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                    {
                        entry.DataStream?.CopyTo(output);
                    }

                    SetMode(target, entry.Mode);
                    File.SetLastWriteTimeUtc(target, entry.ModificationTime.UtcDateTime);
                    break;
                case TarEntryType.SymbolicLink:
                    var link = entry.LinkName;
                    if (link.Length == 0 || link.Contains('\0', StringComparison.Ordinal))
                    {
                        // The file system cannot hold such a link; File.CreateSymbolicLink would throw ArgumentException.
                        throw new InvalidDebianInputException(input, entry.Name, "symlink with an empty or malformed target");
                    }

                    if (!link.StartsWith('/') && EscapesRoot(name, link))
                    {
                        throw new InvalidDebianInputException(input, entry.Name, $"symlink target '{link}' leaves the package root");
                    }

                    RemoveExisting(target);
                    File.CreateSymbolicLink(target, link);
                    break;
                case TarEntryType.HardLink:
                    var linkedName = Normalize(entry.LinkName, input, entry.Name)
                        ?? throw new InvalidDebianInputException(input, entry.Name, "hard link to the root");
                    var linked = Path.Combine(root, linkedName.Replace('/', Path.DirectorySeparatorChar));
                    EnsureParents(root, linkedName, input);
                    if (!File.Exists(linked) || new FileInfo(linked).LinkTarget is not null)
                    {
                        throw new InvalidDebianInputException(input, entry.Name, $"hard link to '{entry.LinkName}', which is not an extracted regular file");
                    }

                    RemoveExisting(target);
                    File.Copy(linked, target);
                    break;
                default:
                    continue;
            }

            written.Add(name);
        }

        // Directory modes last, so a read-only directory does not stop its own children from being written.
        foreach (var (path, mode, time) in Enumerable.Reverse(directoryModes))
        {
            SetMode(path, mode);
            Directory.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }

        return written;
    }

    /// <summary>"./usr/bin/x" → "usr/bin/x"; null for the root itself; absolute or ".." names are refused.</summary>
    private static string? Normalize(string name, string input, string entryName)
    {
        if (name.StartsWith('/') || name.Contains('\0', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            throw new InvalidDebianInputException(input, entryName, "absolute or malformed entry name");
        }

        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        if (segments.Contains(".."))
        {
            throw new InvalidDebianInputException(input, entryName, "entry name contains '..'");
        }

        return segments.Count == 0 ? null : string.Join('/', segments);
    }

    private static bool EscapesRoot(string name, string link)
    {
        var depth = name.Count(c => c == '/');
        foreach (var segment in link.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            depth += segment switch { ".." => -1, "." => 0, _ => 1 };
            if (depth < 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every parent must be a real directory inside the root: writing through a symlink could land anywhere.</summary>
    private static void EnsureParents(string root, string name, string input)
    {
        var current = root;
        var segments = name.Split('/');
        for (var i = 0; i < segments.Length - 1; i++)
        {
            current = Path.Combine(current, segments[i]);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null)
            {
                throw new InvalidDebianInputException(input, name, $"a parent, {string.Join('/', segments[..(i + 1)])}, is a symlink");
            }

            if (!info.Exists)
            {
                if (File.Exists(current))
                {
                    throw new InvalidDebianInputException(input, name, $"a parent, {string.Join('/', segments[..(i + 1)])}, is a file");
                }

                Directory.CreateDirectory(current);
            }
        }
    }

    private static void RemoveExisting(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            info.Delete();
        }
        else if (Directory.Exists(path))
        {
            throw new IOException($"{path} is a directory and cannot be replaced by a file");
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
