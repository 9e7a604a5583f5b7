using System.Globalization;
using System.Text;

namespace Boot2IsoKit.Formats.Iso9660.Building;

/// <summary>
/// Deterministic ISO 9660 level-3 and Joliet identifiers for the names of one directory. Names are
/// processed in ordinal order, so the same set of names always gets the same identifiers; collisions
/// get a decimal suffix.
/// </summary>
internal static class IsoNameMangler
{
    private const int MaxFileChars = 30; // name + extension, ECMA-119 7.5
    private const int MaxDirectoryChars = 31; // ECMA-119 7.6.3
    private const int MaxExtensionChars = 8;
    private const int MaxJolietChars = 64;

    /// <summary>Maps each child name to its ISO identifier ("NAME.EXT;1" for files, "NAME" for directories).</summary>
    public static Dictionary<string, string> IsoIdentifiers(IEnumerable<(string Name, bool IsDirectory)> children)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, isDirectory) in children.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            string baseName, extension;
            if (isDirectory)
            {
                (baseName, extension) = (Map(name), "");
            }
            else
            {
                var dot = name.LastIndexOf('.');
                (baseName, extension) = dot < 0 ? (Map(name), "") : (Map(name[..dot]), Map(name[(dot + 1)..]));
                extension = extension[..Math.Min(extension.Length, MaxExtensionChars)];
            }

            var room = isDirectory ? MaxDirectoryChars : MaxFileChars - extension.Length;
            if (baseName.Length == 0 && extension.Length == 0)
            {
                baseName = "_";
            }

            var candidate = Compose(baseName[..Math.Min(baseName.Length, room)], extension, isDirectory);
            for (var n = 1; !used.Add(candidate); n++)
            {
                var suffix = n.ToString(CultureInfo.InvariantCulture);
                var keep = Math.Max(0, Math.Min(baseName.Length, room - suffix.Length));
                candidate = Compose(baseName[..keep] + suffix, extension, isDirectory);
            }

            result[name] = isDirectory ? candidate : candidate + ";1";
        }

        return result;
    }

    /// <summary>Maps each child name to its Joliet name (≤ 64 UCS-2 characters, no * / : ; ? \).</summary>
    public static Dictionary<string, string> JolietNames(IEnumerable<string> names)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            var mapped = new StringBuilder(name.Length);
            foreach (var c in name)
            {
                mapped.Append(c is '*' or '/' or ':' or ';' or '?' or '\\' or < ' ' ? '_' : c);
            }

            var clean = mapped.ToString();
            var candidate = clean[..Math.Min(clean.Length, MaxJolietChars)];
            for (var n = 1; !used.Add(candidate); n++)
            {
                var suffix = n.ToString(CultureInfo.InvariantCulture);
                candidate = clean[..Math.Min(clean.Length, MaxJolietChars - suffix.Length)] + suffix;
            }

            result[name] = candidate;
        }

        return result;
    }

    /// <summary>ECMA-119 9.3 order: name then extension, each padded with spaces; versions are all 1 here.</summary>
    public static int Compare(string left, string right)
    {
        var (leftName, leftExt) = Split(left);
        var (rightName, rightExt) = Split(right);
        var byName = ComparePadded(leftName, rightName);
        return byName != 0 ? byName : ComparePadded(leftExt, rightExt);
    }

    private static (string Name, string Extension) Split(string identifier)
    {
        var semicolon = identifier.IndexOf(';', StringComparison.Ordinal);
        var bare = semicolon < 0 ? identifier : identifier[..semicolon];
        var dot = bare.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (bare, "") : (bare[..dot], bare[(dot + 1)..]);
    }

    private static int ComparePadded(string left, string right)
    {
        var length = Math.Max(left.Length, right.Length);
        for (var i = 0; i < length; i++)
        {
            var l = i < left.Length ? left[i] : ' ';
            var r = i < right.Length ? right[i] : ' ';
            if (l != r)
            {
                return l.CompareTo(r);
            }
        }

        return 0;
    }

    private static string Compose(string name, string extension, bool isDirectory) =>
        isDirectory ? name : name + "." + extension;

    private static string Map(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToUpperInvariant())
        {
            builder.Append(c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        return builder.ToString();
    }
}
