using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Model.Rootfs;

/// <summary>
/// The one place that decides what a rootfs path may be. Archive entries, overlay files and recipe
/// paths all pass through here, so "../etc/passwd" or a NUL byte can never reach a writer.
/// </summary>
internal static class RootfsPath
{
    /// <summary>
    /// Returns the canonical form: no leading "/" or "./", no empty or "." segments, no trailing "/".
    /// Throws for "..", NUL, or an empty path.
    /// </summary>
    public static string Normalize(string path, string input = "rootfs path")
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidInputException(input, Printable(path), "path contains a NUL byte");
        }

        var segments = new List<string>();
        foreach (var segment in path.Replace('\\', '/').Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                throw new InvalidInputException(input, Printable(path), "path leaves the root with '..'");
            }

            segments.Add(segment);
        }

        if (segments.Count == 0)
        {
            throw new InvalidInputException(input, Printable(path), "path names the root itself, not an entry");
        }

        return string.Join('/', segments);
    }

    /// <summary>The parent directories of a normalized path, outermost first ("a", "a/b" for "a/b/c").</summary>
    public static IEnumerable<string> Parents(string normalizedPath)
    {
        var index = normalizedPath.IndexOf('/', StringComparison.Ordinal);
        while (index > 0)
        {
            yield return normalizedPath[..index];
            index = normalizedPath.IndexOf('/', index + 1);
        }
    }

    private static string Printable(string path) => path.Replace("\0", "\\0", StringComparison.Ordinal);
}
