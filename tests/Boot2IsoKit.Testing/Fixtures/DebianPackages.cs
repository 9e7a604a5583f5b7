using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>
/// Fetches the Debian packages a fixture is made of with apt's own client, from the mirror apt is
/// configured with (the repository never names a mirror). A suite apt is not configured for is read
/// through a private apt state directory, leaving the system's apt untouched.
/// </summary>
internal sealed partial class DebianPackages(string workDirectory)
{
    private const string SourcesDirectory = "/etc/apt/sources.list.d";
    private const string SourcesList = "/etc/apt/sources.list";
    private const string DefaultKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg";

    private readonly Dictionary<string, string[]> _privateAptOptions = new(StringComparer.Ordinal);

    /// <summary>Downloads one package (the candidate version of <paramref name="suite"/>, or apt's candidate) and returns the .deb path.</summary>
    public async Task<string> DownloadAsync(string package, string? suite, CancellationToken ct)
    {
        var target = Directory.CreateDirectory(Path.Combine(workDirectory, "debs", suite ?? "default")).FullName;
        string[] options = [];
        var request = package;
        if (suite is not null)
        {
            var mirror = AptMirror.Read();
            if (mirror.Suites.Contains(suite))
            {
                request = $"{package}/{suite}";
            }
            else
            {
                options = await PrivateAptAsync(mirror, suite, ct).ConfigureAwait(false);
            }
        }

        await ExternalTool.RunCheckedAsync("apt-get", [.. options, "download", request], target, TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
        return Directory.GetFiles(target, $"{package}_*.deb").Single();
    }

    /// <summary>Downloads several packages of one suite in one apt run; returns their .deb paths in the order asked.</summary>
    public async Task<IReadOnlyList<string>> DownloadManyAsync(IReadOnlyList<string> names, string suite, CancellationToken ct)
    {
        var target = Directory.CreateDirectory(Path.Combine(workDirectory, "debs", suite + "-many")).FullName;
        var mirror = AptMirror.Read();
        string[] options = mirror.Suites.Contains(suite) ? [] : await PrivateAptAsync(mirror, suite, ct).ConfigureAwait(false);
        string[] requests = [.. names.Select(n => options.Length == 0 ? $"{n}/{suite}" : n)];
        await ExternalTool.RunCheckedAsync("apt-get", [.. options, "download", .. requests], target, TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
        return [.. names.Select(n => Directory.GetFiles(target, $"{n}_*.deb").Single())];
    }

    /// <summary>
    /// The newest cloud kernel image apt offers (<c>linux-image-*-cloud-amd64-unsigned</c>): a small
    /// kernel with the serial console, ACPI power-off and legacy-lzma initrd support built in.
    /// </summary>
    public static async Task<string> NewestCloudKernelPackageAsync(CancellationToken ct)
    {
        var search = await ExternalTool.RunCheckedAsync("apt-cache", ["search", "--names-only", "^linux-image-.*-cloud-amd64-unsigned$"], cancellationToken: ct).ConfigureAwait(false);
        var names = search.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2)[0])
            .Where(name => KernelPackageName().IsMatch(name))
            .ToList();
        if (names.Count == 0)
        {
            throw new InvalidOperationException("apt offers no linux-image-*-cloud-amd64-unsigned package; run apt-get update.");
        }

        return names.OrderByDescending(KernelVersionKey, VersionKeyComparer.Instance).First();
    }

    /// <summary>The <c>Version</c> field of a .deb.</summary>
    public static async Task<string> VersionOfAsync(string deb, CancellationToken ct)
    {
        var result = await ExternalTool.RunCheckedAsync("dpkg-deb", ["--field", deb, "Version"], cancellationToken: ct).ConfigureAwait(false);
        return result.StandardOutput.Trim();
    }

    public static Task ExtractAsync(string deb, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        return ExternalTool.RunCheckedAsync("dpkg-deb", ["--extract", deb, directory], cancellationToken: ct);
    }

    private async Task<string[]> PrivateAptAsync(AptMirror mirror, string suite, CancellationToken ct)
    {
        if (_privateAptOptions.TryGetValue(suite, out var cached))
        {
            return cached;
        }

        var root = Directory.CreateDirectory(Path.Combine(workDirectory, "apt", suite)).FullName;
        Directory.CreateDirectory(Path.Combine(root, "lists", "partial"));
        Directory.CreateDirectory(Path.Combine(root, "cache", "archives", "partial"));
        var list = Path.Combine(root, "sources.list");
        await File.WriteAllTextAsync(list, $"deb [signed-by={mirror.Keyring}] {mirror.Uri} {suite} main\n", ct).ConfigureAwait(false);
        var status = Path.Combine(root, "status");
        await File.WriteAllTextAsync(status, "", ct).ConfigureAwait(false);
        string[] options =
        [
            "-o", $"Dir::Etc::SourceList={list}",
            "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", $"Dir::State::Lists={Path.Combine(root, "lists")}",
            "-o", $"Dir::State::status={status}",
            "-o", $"Dir::Cache={Path.Combine(root, "cache")}",
            // Older suites' Release files can be past their Valid-Until date on a snapshot mirror.
            "-o", "Acquire::Check-Valid-Until=false",
            // Private directories are owned by the caller; apt's _apt sandbox user may not read them.
            "-o", "APT::Sandbox::User=" + Environment.UserName,
        ];
        await ExternalTool.RunCheckedAsync("apt-get", [.. options, "update"], root, TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
        _privateAptOptions[suite] = options;
        return options;
    }

    private static int[] KernelVersionKey(string packageName) =>
        [.. NumberRun().Matches(packageName).Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^linux-image-\d[\w.+~-]*-cloud-amd64-unsigned$")]
    private static partial Regex KernelPackageName();

    [GeneratedRegex(@"\d+")]
    private static partial Regex NumberRun();

    private sealed class VersionKeyComparer : IComparer<int[]>
    {
        public static readonly VersionKeyComparer Instance = new();

        public int Compare(int[]? x, int[]? y)
        {
            x ??= [];
            y ??= [];
            for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                if (x[i] != y[i])
                {
                    return x[i].CompareTo(y[i]);
                }
            }

            return x.Length.CompareTo(y.Length);
        }
    }

    /// <summary>The Debian mirror (URI, keyring and suites) apt is configured with.</summary>
    internal sealed record AptMirror(string Uri, string Keyring, IReadOnlySet<string> Suites)
    {
        public static AptMirror Read()
        {
            var entries = new List<(string Uri, string Keyring, string[] Suites)>();
            if (Directory.Exists(SourcesDirectory))
            {
                foreach (var file in Directory.GetFiles(SourcesDirectory, "*.sources").Order(StringComparer.Ordinal))
                {
                    entries.AddRange(ParseDeb822(File.ReadAllText(file)));
                }

                foreach (var file in Directory.GetFiles(SourcesDirectory, "*.list").Order(StringComparer.Ordinal))
                {
                    entries.AddRange(ParseOneLine(File.ReadAllText(file)));
                }
            }

            if (File.Exists(SourcesList))
            {
                entries.AddRange(ParseOneLine(File.ReadAllText(SourcesList)));
            }

            // The main archive is the entry that carries a plain release suite (no -security/-updates),
            // preferably one signed with Debian's archive keyring (not some third-party repository).
            var main = entries
                .Where(e => e.Suites.Any(s => !s.Contains('-', StringComparison.Ordinal)) && !e.Uri.Contains("security", StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.Keyring.Contains("debian-archive", StringComparison.Ordinal) ? 0 : 1)
                .FirstOrDefault();
            if (main.Uri is null)
            {
                throw new InvalidOperationException("apt has no Debian archive configured (looked in /etc/apt/sources.list.d and /etc/apt/sources.list).");
            }

            var suites = entries.SelectMany(e => e.Suites).ToHashSet(StringComparer.Ordinal);
            return new AptMirror(main.Uri, main.Keyring, suites);
        }

        private static IEnumerable<(string, string, string[])> ParseDeb822(string text)
        {
            foreach (var stanza in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in stanza.Split('\n'))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (line.StartsWith('#') || colon <= 0 || char.IsWhiteSpace(line[0]))
                    {
                        continue;
                    }

                    fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }

                if (fields.GetValueOrDefault("Types", "").Split(' ').Contains("deb")
                    && !string.Equals(fields.GetValueOrDefault("Enabled"), "no", StringComparison.OrdinalIgnoreCase)
                    && fields.TryGetValue("URIs", out var uris) && fields.TryGetValue("Suites", out var suites))
                {
                    // Signed-By may also hold an inline key block; then fall back to Debian's keyring file.
                    var signedBy = fields.GetValueOrDefault("Signed-By", "");
                    var keyring = signedBy.StartsWith('/') ? signedBy.Split(' ')[0] : DefaultKeyring;
                    yield return (uris.Split(' ')[0], keyring, suites.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                }
            }
        }

        private static IEnumerable<(string, string, string[])> ParseOneLine(string text)
        {
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                if (!line.StartsWith("deb ", StringComparison.Ordinal))
                {
                    continue;
                }

                var keyring = DefaultKeyring;
                var rest = line[4..].Trim();
                if (rest.StartsWith('['))
                {
                    var close = rest.IndexOf(']', StringComparison.Ordinal);
                    var signedBy = rest[1..close].Split(' ').FirstOrDefault(o => o.StartsWith("signed-by=", StringComparison.Ordinal));
                    keyring = signedBy?["signed-by=".Length..] ?? keyring;
                    rest = rest[(close + 1)..].Trim();
                }

                var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2)
                {
                    yield return (parts[0], keyring, [parts[1]]);
                }
            }
        }
    }
}
