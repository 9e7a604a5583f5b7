using System.Globalization;
using Boot2IsoKit.Formats.Elf;

namespace Boot2IsoKit.Stages.Injection;

/// <summary>Reads "GLIBC_2.31"-style version names: which is highest, and what a libc.so.6 is.</summary>
internal static class GlibcVersions
{
    /// <summary>The sonames built from one glibc source tree: they must come from the same build.</summary>
    public static readonly IReadOnlySet<string> GlibcComponents = new HashSet<string>(StringComparer.Ordinal)
    {
        "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2", "libutil.so.1",
        "libanl.so.1", "libBrokenLocale.so.1", "libmvec.so.1", "libc_malloc_debug.so.0", "libthread_db.so.1",
        "libnss_files.so.2", "libnss_dns.so.2", "ld-linux-x86-64.so.2", "ld-linux.so.2", "ld-linux-aarch64.so.1",
        "ld-linux-armhf.so.3",
    };

    /// <summary>The highest "PREFIX_x.y[.z]" among <paramref name="names"/> ("2.31" for prefix "GLIBC_"), or null.</summary>
    public static Version? Highest(IEnumerable<string> names, string prefix = "GLIBC_") =>
        names.Select(n => Parse(n, prefix)).OfType<Version>().DefaultIfEmpty().Max();

    /// <summary>The glibc release a libc.so.6 is, from the versions it defines ("2.36"), or null.</summary>
    public static Version? OfLibc(ElfFile libc) => Highest(libc.VersionDefinitions.Select(d => d.Name));

    /// <summary>
    /// The glibc release of a libc.so.6 from its banner ("... stable release version 2.31."), which every
    /// glibc build embeds; null when absent. Needed because a release can add no new symbol version
    /// (glibc 2.31 defines GLIBC_2.30 at most).
    /// </summary>
    public static Version? ReleaseOf(Stream libc)
    {
        ArgumentNullException.ThrowIfNull(libc);
        var marker = "release version "u8.ToArray();
        var buffer = new byte[1 << 16];
        var carry = 0;
        int read;
        while ((read = libc.Read(buffer, carry, buffer.Length - carry)) > 0)
        {
            var filled = carry + read;
            var at = buffer.AsSpan(0, filled).IndexOf(marker);
            if (at >= 0 && filled - at - marker.Length >= 12)
            {
                var digits = buffer.AsSpan(at + marker.Length, 12).ToArray().TakeWhile(b => char.IsAsciiDigit((char)b) || b == '.').ToArray();
                var text = System.Text.Encoding.ASCII.GetString(digits).TrimEnd('.');
                return Version.TryParse(text, out var version) && text.Contains('.', StringComparison.Ordinal) ? version : null;
            }

            // Keep a tail so a marker split across two reads is still found.
            carry = Math.Min(filled, marker.Length + 12);
            Array.Copy(buffer, filled - carry, buffer, 0, carry);
        }

        return null;
    }

    /// <summary>The release of the libc at <paramref name="path"/> in <paramref name="rootfs"/>: its banner, else the highest GLIBC_ version it defines.</summary>
    public static Version? ReleaseOf(ITargetRootfs rootfs, string path, ElfFile libc)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        try
        {
            using var stream = rootfs.OpenRead(path);
            return ReleaseOf(stream) ?? OfLibc(libc);
        }
        catch (IOException)
        {
            return OfLibc(libc);
        }
    }

    public static Version? Parse(string name, string prefix = "GLIBC_")
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = name[prefix.Length..].Split('.');
        if (parts.Length is < 2 or > 4 || !parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit) && p.Length < 9))
        {
            return null;
        }

        return Version.Parse(string.Join('.', parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture))));
    }
}
