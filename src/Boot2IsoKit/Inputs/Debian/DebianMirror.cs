namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// The base URL of a Debian archive ("…/debian", holding dists/ and pool/). It is configuration, never
/// a constant: an explicit URL (the recipe), else the <see cref="EnvironmentVariable"/>, else the first
/// Debian archive in apt's configuration on this host.
/// </summary>
internal sealed record DebianMirror
{
    public const string EnvironmentVariable = "B2IK_DEBIAN_MIRROR";

    public DebianMirror(Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        if (baseUri.Scheme is not ("http" or "https" or "file"))
        {
            throw new ArgumentException($"Debian mirror {baseUri} must be an http, https or file URL", nameof(baseUri));
        }

        BaseUri = new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/");
    }

    /// <summary>Always ends with '/', so relative paths append.</summary>
    public Uri BaseUri { get; }

    public Uri Resolve(string relativePath) => new(BaseUri, relativePath.TrimStart('/'));

    public override string ToString() => BaseUri.AbsoluteUri;

    /// <summary>
    /// The mirror to use, or null when none is configured anywhere. <paramref name="aptRoot"/> is the
    /// root whose etc/apt is read ("/" on the build host).
    /// </summary>
    public static DebianMirror? FromConfiguration(string? explicitUrl = null, string aptRoot = "/")
    {
        if (!string.IsNullOrWhiteSpace(explicitUrl))
        {
            return new DebianMirror(new Uri(explicitUrl));
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return new DebianMirror(new Uri(fromEnvironment));
        }

        return AptSources(aptRoot).Select(s => new DebianMirror(s)).FirstOrDefault();
    }

    /// <summary>
    /// "deb" archive URLs from apt's configuration (etc/apt/sources.list.d/*.sources in deb822 form,
    /// *.list and etc/apt/sources.list in one-line form), main archives first: an entry with a plain
    /// codename suite ("bookworm", not "bookworm-security") and the Debian archive keyring or a path
    /// ending in /debian ranks before third-party repositories.
    /// </summary>
    public static IReadOnlyList<Uri> AptSources(string aptRoot = "/")
    {
        var etcApt = Path.Combine(aptRoot, "etc", "apt");
        var entries = new List<(Uri Uri, IReadOnlyList<string> Suites, string SignedBy)>();
        var listDirectory = Path.Combine(etcApt, "sources.list.d");
        var files = Directory.Exists(listDirectory)
            ? Directory.EnumerateFiles(listDirectory).Order(StringComparer.Ordinal).ToList()
            : [];
        foreach (var file in files.Where(f => f.EndsWith(".sources", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(file);
            foreach (var stanza in Deb822.Parse(reader, file))
            {
                if (string.Equals(stanza["Enabled"], "no", StringComparison.OrdinalIgnoreCase) || !Words(stanza["Types"]).Contains("deb"))
                {
                    continue;
                }

                foreach (var uri in Words(stanza["URIs"]))
                {
                    if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
                    {
                        entries.Add((parsed, Words(stanza["Suites"]), stanza["Signed-By"] ?? ""));
                    }
                }
            }
        }

        var oneLine = new List<string>();
        if (File.Exists(Path.Combine(etcApt, "sources.list")))
        {
            oneLine.Add(Path.Combine(etcApt, "sources.list"));
        }

        oneLine.AddRange(files.Where(f => f.EndsWith(".list", StringComparison.Ordinal)));
        foreach (var file in oneLine)
        {
            foreach (var raw in File.ReadLines(file))
            {
                var line = raw.Split('#')[0];
                var options = line.IndexOf('[', StringComparison.Ordinal) is var open and >= 0 && line.IndexOf(']', open) is var close and > 0
                    ? line[(open + 1)..close]
                    : "";
                var words = Words(options.Length > 0 ? line.Remove(line.IndexOf('[', StringComparison.Ordinal), options.Length + 2) : line);
                if (words.Count >= 3 && words[0] == "deb" && Uri.TryCreate(words[1], UriKind.Absolute, out var parsed))
                {
                    entries.Add((parsed, [words[2]], options));
                }
            }
        }

        static int Rank((Uri Uri, IReadOnlyList<string> Suites, string SignedBy) e)
        {
            var debian = e.SignedBy.Contains("debian-archive-keyring", StringComparison.Ordinal) || e.Uri.AbsolutePath.TrimEnd('/').EndsWith("/debian", StringComparison.Ordinal);
            var plainSuite = e.Suites.Any(s => !s.Contains('-', StringComparison.Ordinal) && !s.Contains('/', StringComparison.Ordinal));
            return (debian ? 0 : 2) + (plainSuite ? 0 : 1);
        }

        return [.. entries.Where(e => e.Uri.Scheme is "http" or "https" or "file").OrderBy(Rank).Select(e => e.Uri).Distinct()];
    }

    private static List<string> Words(string? text) =>
        [.. (text ?? "").Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)];
}
