using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Model.Rootfs;

/// <summary>
/// Turns a directory of files (an entry of a recipe's <c>overlays:</c>) into rootfs entries:
/// paths relative to the directory, modes kept, owner root, one timestamp for reproducible output.
/// </summary>
internal static class OverlayDirectory
{
    public static void AddTo(RootfsOverlay overlay, string directory, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
        {
            throw new InvalidInputException(directory, "overlay", "the overlay directory does not exist");
        }

        var origin = root.Name;
        foreach (var item in root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                     .OrderBy(i => i.FullName, StringComparer.Ordinal))
        {
            var path = RootfsPath.Normalize(Path.GetRelativePath(root.FullName, item.FullName), directory);
            if (item.LinkTarget is { } target)
            {
                overlay.Add(RootfsEntry.Symlink(path, target, origin) with { ModificationTime = timestamp });
            }
            else if (item is DirectoryInfo)
            {
                overlay.Add(RootfsEntry.Directory(path, Permissions(item, 0x1ED), origin) with { ModificationTime = timestamp });
            }
            else if (item is FileInfo file)
            {
                overlay.Add(RootfsEntry.File(path, new FileContent(file.FullName), Permissions(item, 0x1A4), origin) with { ModificationTime = timestamp });
            }
        }
    }

    /// <summary>Unix permission bits where the OS has them; on Windows the given default.</summary>
    private static int Permissions(FileSystemInfo item, int fallback) =>
        OperatingSystem.IsWindows() ? fallback : (int)item.UnixFileMode & 0xFFF;
}
