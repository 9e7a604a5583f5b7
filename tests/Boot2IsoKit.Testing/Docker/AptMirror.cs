using System.Text.RegularExpressions;

namespace Boot2IsoKit.Testing.Docker;

/// <summary>
/// The Debian mirror apt is configured with, so debootstrap fetches from the same place (never a
/// host name written into the repository). B2IK_DEBIAN_MIRROR overrides it.
/// </summary>
internal static partial class AptMirror
{
    public static string Find(string suite = "bookworm")
    {
        if (Environment.GetEnvironmentVariable("B2IK_DEBIAN_MIRROR") is { Length: > 0 } overridden)
        {
            return overridden;
        }

        // deb822 files: stanzas of "Key: value" lines separated by blank lines.
        foreach (var file in Directory.Exists("/etc/apt/sources.list.d") ? Directory.GetFiles("/etc/apt/sources.list.d", "*.sources").Order(StringComparer.Ordinal).ToArray() : [])
        {
            foreach (var stanza in File.ReadAllText(file).Split(["\n\n", "\r\n\r\n"], StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = stanza.Split('\n')
                    .Where(l => !l.TrimStart().StartsWith('#') && l.Contains(':', StringComparison.Ordinal))
                    .Select(l => l.Split(':', 2))
                    .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
                if (fields.TryGetValue("URIs", out var uris) && fields.TryGetValue("Suites", out var suites)
                    && suites.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(suite))
                {
                    return uris.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                }
            }
        }

        // One-line format: "deb [options] URI suite components".
        const string listFile = "/etc/apt/sources.list";
        if (File.Exists(listFile))
        {
            foreach (Match match in OneLine().Matches(File.ReadAllText(listFile)))
            {
                if (match.Groups["suite"].Value == suite)
                {
                    return match.Groups["uri"].Value;
                }
            }
        }

        throw new InvalidOperationException($"apt has no source for Debian {suite} (looked in /etc/apt/sources.list.d/*.sources and /etc/apt/sources.list); set B2IK_DEBIAN_MIRROR.");
    }

    [GeneratedRegex(@"^deb\s+(\[[^\]]*\]\s+)?(?<uri>\S+)\s+(?<suite>\S+)", RegexOptions.Multiline)]
    private static partial Regex OneLine();
}
