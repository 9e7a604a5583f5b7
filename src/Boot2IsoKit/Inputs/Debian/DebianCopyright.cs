using System.Text;
using System.Text.RegularExpressions;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// A package's <c>usr/share/doc/NAME/copyright</c> read as Debian's machine-readable format (DEP-5,
/// https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/): the licence of every <c>Files</c>
/// paragraph, as one SPDX license expression. A file in any other shape gives null: the licence is then
/// not asserted, rather than guessed from free text.
/// </summary>
internal static partial class DebianCopyright
{
    private const int MaxBytes = 4 << 20;

    /// <summary>DEP-5 short names (section "License specification") whose SPDX identifier differs; the rest are mapped by shape.</summary>
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Expat"] = "MIT",
        ["MIT"] = "MIT",
        ["X11"] = "X11",
        ["X-Consortium"] = "X11",
        ["BSD-2-clause"] = "BSD-2-Clause",
        ["BSD-3-clause"] = "BSD-3-Clause",
        ["BSD-4-clause"] = "BSD-4-Clause",
        ["ISC"] = "ISC",
        ["Zlib"] = "Zlib",
        ["CC0"] = "CC0-1.0",
        ["CC0-1.0"] = "CC0-1.0",
        ["Apache-2.0"] = "Apache-2.0",
        ["Apache-2"] = "Apache-2.0",
        ["MPL-1.1"] = "MPL-1.1",
        ["MPL-2.0"] = "MPL-2.0",
        ["Artistic"] = "Artistic-1.0-Perl",
        ["Artistic-2.0"] = "Artistic-2.0",
        ["Python"] = "Python-2.0",
        ["Zope"] = "ZPL-2.1",
        ["W3C"] = "W3C",
    };

    /// <summary>The SPDX expression for the copyright file at <paramref name="path"/>, or null when it is missing or not DEP-5.</summary>
    public static string? LicenseExpression(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length > MaxBytes)
        {
            return null;
        }

        var text = File.ReadAllText(path, Encoding.UTF8);
        if (!text.StartsWith("Format:", StringComparison.OrdinalIgnoreCase) || !text.Split('\n', 2)[0].Contains("copyright-format", StringComparison.Ordinal))
        {
            return null;
        }

        List<Deb822Stanza> paragraphs;
        try
        {
            paragraphs = [.. Deb822.Parse(new StringReader(text), path)];
        }
        catch (InvalidDebianInputException)
        {
            return null;
        }

        var expressions = new List<string>();
        foreach (var paragraph in paragraphs.Where(p => p["Files"] is not null))
        {
            var name = paragraph["License"]?.Split('\n', 2)[0].Trim();
            if (string.IsNullOrEmpty(name) || Expression(name) is not { } expression)
            {
                return null; // a Files paragraph without a licence we can name: assert nothing
            }

            if (!expressions.Contains(expression, StringComparer.Ordinal))
            {
                expressions.Add(expression);
            }
        }

        return expressions.Count switch
        {
            0 => null,
            1 => expressions[0],
            _ => string.Join(" AND ", expressions.Select(e => e.Contains(' ', StringComparison.Ordinal) ? $"({e})" : e)),
        };
    }

    /// <summary>
    /// One DEP-5 license field ("GPL-2+", "GPL-2+ or Artistic", "Apache-2.0 with exception") as an SPDX
    /// expression; null when a name has no SPDX form here (then nothing is asserted for the package).
    /// </summary>
    internal static string? Expression(string field)
    {
        if (field.Contains(',', StringComparison.Ordinal) || field.Contains(" with ", StringComparison.OrdinalIgnoreCase))
        {
            return null; // exceptions and mixed-precedence lists: too rich to map blindly
        }

        var terms = new List<string>();
        foreach (var token in field.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.Equals("or", StringComparison.OrdinalIgnoreCase) || token.Equals("and", StringComparison.OrdinalIgnoreCase))
            {
                terms.Add(token.ToUpperInvariant());
            }
            else if (Identifier(token) is { } id)
            {
                terms.Add(id);
            }
            else
            {
                return null;
            }
        }

        return terms.Count == 0 || terms[0] is "OR" or "AND" || terms[^1] is "OR" or "AND" ? null : string.Join(' ', terms);
    }

    private static string? Identifier(string name)
    {
        if (Renamed.TryGetValue(name, out var renamed))
        {
            return renamed;
        }

        // GPL, LGPL, AGPL and GFDL with a version: "GPL-2" is GPL-2.0-only, "GPL-2+" GPL-2.0-or-later, "LGPL-2.1+" LGPL-2.1-or-later.
        var match = VersionedGnu().Match(name);
        if (!match.Success)
        {
            return null;
        }

        var family = match.Groups["family"].Value.ToUpperInvariant();
        var version = match.Groups["version"].Value;
        version = version.Contains('.', StringComparison.Ordinal) ? version : version + ".0";
        return $"{family}-{version}-{(match.Groups["later"].Success ? "or-later" : "only")}";
    }

    [GeneratedRegex(@"^(?<family>GPL|LGPL|AGPL|GFDL)-(?<version>[1-3](\.[0-9])?)(?<later>\+)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionedGnu();
}
