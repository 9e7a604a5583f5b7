using System.Globalization;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>One package as an index (or a local .deb's control file) describes it.</summary>
internal sealed record DebianPackageInfo
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public string Architecture { get; init; } = "";

    public string Depends { get; init; } = "";

    public string PreDepends { get; init; } = "";

    public string Provides { get; init; } = "";

    public bool Essential { get; init; }

    /// <summary>Pool path relative to the mirror ("pool/main/i/ipvsadm/ipvsadm_1.31-1+b1_amd64.deb"); null for local files.</summary>
    public string? Filename { get; init; }

    public string? Sha256 { get; init; }

    public long? Size { get; init; }

    /// <summary>The .deb on this machine, for local sources.</summary>
    public string? LocalPath { get; init; }

    /// <summary>The fields an index stanza keeps; everything else is dropped while parsing.</summary>
    internal static readonly IReadOnlySet<string> IndexFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Package", "Version", "Architecture", "Depends", "Pre-Depends", "Provides", "Essential", "Filename", "SHA256", "Size",
    };

    internal static DebianPackageInfo FromStanza(Deb822Stanza stanza, string input, string? localPath = null)
    {
        var name = stanza["Package"] ?? throw new InvalidDebianInputException(input, "stanza", "has no Package field");
        long? size = null;
        if (stanza["Size"] is { } sizeText)
        {
            size = long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new InvalidDebianInputException(input, $"package {name}", $"Size '{sizeText}' is not a number");
        }

        return new DebianPackageInfo
        {
            Name = name,
            Version = stanza["Version"] ?? throw new InvalidDebianInputException(input, $"package {name}", "has no Version field"),
            Architecture = stanza["Architecture"] ?? "",
            Depends = stanza["Depends"] ?? "",
            PreDepends = stanza["Pre-Depends"] ?? "",
            Provides = stanza["Provides"] ?? "",
            Essential = string.Equals(stanza["Essential"], "yes", StringComparison.OrdinalIgnoreCase),
            Filename = stanza["Filename"],
            Sha256 = stanza["SHA256"]?.ToLowerInvariant(),
            Size = size,
            LocalPath = localPath,
        };
    }
}

/// <summary>One alternative of a dependency: "libnl-3-200 (>= 3.2.7)" → name, "&gt;=", "3.2.7".</summary>
internal sealed record DebianRelation(string Name, string? Operator, string? Version)
{
    /// <summary>Parses "a (>= 1) | b, c:any [amd64] &lt;!nocheck&gt;" into groups of alternatives.</summary>
    public static IReadOnlyList<IReadOnlyList<DebianRelation>> ParseList(string text)
    {
        var groups = new List<IReadOnlyList<DebianRelation>>();
        foreach (var group in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var alternatives = group.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(Parse).ToList();
            if (alternatives.Count > 0)
            {
                groups.Add(alternatives);
            }
        }

        return groups;
    }

    private static DebianRelation Parse(string text)
    {
        var name = text.Split([' ', '(', '[', '<', '\n', '\t'], 2)[0];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            name = name[..colon]; // ":any" / ":amd64" qualifiers: one architecture is resolved at a time
        }

        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.IndexOf(')', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return new DebianRelation(name, null, null);
        }

        var inside = text[(open + 1)..close].Trim();
        var opLength = inside.TakeWhile(c => c is '<' or '>' or '=').Count();
        return new DebianRelation(name, inside[..opLength], inside[opLength..].Trim());
    }

    public override string ToString() => Operator is null ? Name : $"{Name} ({Operator} {Version})";
}
