using System.Net;
using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Model.Recipes;

namespace Boot2IsoKit.Inputs.TinyCore;

/// <summary>An extension ready to install: its name ("ipvsadm.tcz"), the verified file, where it came from, its md5.</summary>
internal sealed record ResolvedExtension(string Name, string Path, Uri Source, string Md5)
{
    /// <summary>The name without ".tcz": the file name tce-load records under /usr/local/tce.installed.</summary>
    public string AppName => Name[..^".tcz".Length];
}

/// <summary>
/// Resolves extension names the way tce-load -w does (Core-scripts' usr/bin/tce-load): each NAME.tcz.dep
/// is read recursively, each extension is fetched once, in tce-load's install order (its recursive_scan_dep:
/// a name's dependencies are installed before it, a later dependency before an earlier one, a dependency
/// loop is skipped), and every .tcz is checked against its NAME.tcz.md5.txt. Everything goes through the
/// input cache, so a Fetch fills it and a later --offline build resolves the same list from it. Dependencies
/// on "-KERNEL.tcz" extensions (modules for Tiny Core's kernel) are left out, as boot2docker's own tce-load
/// patch does: boot2docker runs its own kernel build.
/// </summary>
internal sealed class ExtensionResolver
{
    /// <summary>A .dep file is a short list of names; anything longer is not one.</summary>
    private const int MaxDepFileBytes = 64 * 1024;

    /// <summary>Extensions in one resolution; Tiny Core's deepest trees pull in a few hundred.</summary>
    private const int MaxExtensions = 4096;

    private readonly TinyCoreMirror _mirror;
    private readonly InputCacheStore _cache;
    private readonly Dictionary<string, IReadOnlyList<string>> _dependencies = new(StringComparer.Ordinal);

    public ExtensionResolver(TinyCoreMirror mirror, InputCacheStore cache)
    {
        _mirror = mirror ?? throw new ArgumentNullException(nameof(mirror));
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
    }

    /// <summary>The extensions to install for <paramref name="names"/>, dependencies first, each once.</summary>
    public async Task<IReadOnlyList<ResolvedExtension>> ResolveAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var order = new List<string>();
        var installed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var requested in names)
        {
            var name = NormalizeName(requested, "recipe extensions", requested);
            foreach (var extension in await InstallOrderAsync(name, cancellationToken).ConfigureAwait(false))
            {
                if (installed.Add(extension))
                {
                    order.Add(extension);
                }
            }
        }

        var resolved = new List<ResolvedExtension>(order.Count);
        foreach (var name in order)
        {
            resolved.Add(await FetchAsync(name, cancellationToken).ConfigureAwait(false));
        }

        return resolved;
    }

    /// <summary>The name with ".tcz", checked by the recipe model's rule (<see cref="ExtensionName"/>).</summary>
    /// <exception cref="InvalidTinyCoreExtensionException">The text is not an extension name.</exception>
    public static string NormalizeName(string text, string input, string location) =>
        ExtensionName.Normalize(text) ?? throw new InvalidTinyCoreExtensionException(input, location, ExtensionName.Problem(text));

    /// <summary>
    /// tce-load's recursive_scan_dep for one requested name: a pre-order scan (a name, then each dependency's
    /// scan; a name seen before becomes a reference to its scanned range) printed backwards, each name once.
    /// </summary>
    private async Task<List<string>> InstallOrderAsync(string root, CancellationToken cancellationToken)
    {
        var scanned = new List<(string Name, bool IsReference)>();
        var ranges = new Dictionary<string, (int First, int Last)>(StringComparer.Ordinal);
        var inProgress = new HashSet<string>(StringComparer.Ordinal);

        async Task Scan(string name)
        {
            if (ranges.ContainsKey(name) || inProgress.Contains(name))
            {
                // In progress: a dependency loop, which tce-load warns about and skips.
                if (!inProgress.Contains(name))
                {
                    scanned.Add((name, true));
                }

                return;
            }

            if (scanned.Count >= MaxExtensions)
            {
                throw new InvalidTinyCoreExtensionException(_mirror.ExtensionUrl(root + ".dep").ToString(), "dependencies", $"more than {MaxExtensions} extensions");
            }

            scanned.Add((name, false));
            var first = scanned.Count - 1;
            inProgress.Add(name);
            foreach (var dependency in await DependenciesAsync(name, cancellationToken).ConfigureAwait(false))
            {
                await Scan(dependency).ConfigureAwait(false);
            }

            inProgress.Remove(name);
            ranges[name] = (first, scanned.Count - 1);
        }

        await Scan(root).ConfigureAwait(false);

        var order = new List<string>();
        var printed = new HashSet<(string, bool)>();
        void Output(int first, int last)
        {
            for (var i = last; i >= first; i--)
            {
                if (printed.Add(scanned[i]))
                {
                    if (scanned[i].IsReference)
                    {
                        var range = ranges[scanned[i].Name];
                        Output(range.First, range.Last);
                    }
                    else
                    {
                        order.Add(scanned[i].Name);
                    }
                }
            }
        }

        Output(0, scanned.Count - 1);
        return order;
    }

    /// <summary>The names in NAME.tcz.dep (none when the mirror has no such file: extensions without dependencies have none).</summary>
    private async Task<IReadOnlyList<string>> DependenciesAsync(string name, CancellationToken cancellationToken)
    {
        if (_dependencies.TryGetValue(name, out var known))
        {
            return known;
        }

        var url = _mirror.ExtensionUrl(name + ".dep");
        var request = new InputRequest(InputKinds.TinyCoreDep, url);
        CachedInput file;
        try
        {
            file = await _cache.GetAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (DownloadException e) when (e.Status == HttpStatusCode.NotFound)
        {
            // Recorded as an empty list, so an offline build knows the answer too.
            file = await _cache.RecordAsync(request, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }

        if (file.Size > MaxDepFileBytes)
        {
            throw new InvalidTinyCoreExtensionException(url.ToString(), "size", $"{file.Size} bytes is not a dependency list (at most {MaxDepFileBytes})");
        }

        var dependencies = new List<string>();
        var lines = (await File.ReadAllTextAsync(file.Path, Encoding.UTF8, cancellationToken).ConfigureAwait(false)).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            // tce-load removes every blank and tab from a line (gsub(/[\t ]+/, "", name)).
            var line = new string([.. lines[i].Where(c => c is not (' ' or '\t' or '\r'))]);
            if (line.Length == 0 || line.EndsWith("-KERNEL.tcz", StringComparison.Ordinal))
            {
                continue;
            }

            dependencies.Add(NormalizeName(line, url.ToString(), $"line {i + 1}"));
        }

        _dependencies[name] = dependencies;
        return dependencies;
    }

    private async Task<ResolvedExtension> FetchAsync(string name, CancellationToken cancellationToken)
    {
        var md5Url = _mirror.ExtensionUrl(name + ".md5.txt");
        var md5File = await _cache.GetAsync(new InputRequest(InputKinds.TinyCoreMd5, md5Url), cancellationToken).ConfigureAwait(false);
        var expected = ParseMd5File(await File.ReadAllTextAsync(md5File.Path, cancellationToken).ConfigureAwait(false), md5Url, name);
        var url = _mirror.ExtensionUrl(name);
        var tcz = await _cache.GetAsync(new InputRequest(InputKinds.TinyCoreExtension, url), cancellationToken).ConfigureAwait(false);
        string actual;
        await using (var stream = File.OpenRead(tcz.Path))
        {
            // md5 is what Tiny Core publishes: it catches a damaged or wrong download, it does not authenticate the mirror.
#pragma warning disable CA5351
            actual = Convert.ToHexStringLower(await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
#pragma warning restore CA5351
        }

        if (actual != expected)
        {
            throw new InvalidTinyCoreExtensionException(url.ToString(), "md5", $"the file's md5 is {actual}, {name}.md5.txt says {expected}");
        }

        return new ResolvedExtension(name, tcz.Path, url, actual);
    }

    /// <summary>md5sum's output line: "&lt;32 hex&gt;  NAME.tcz" (md5sum -c reads it; the name must be the extension's).</summary>
    internal static string ParseMd5File(string text, Uri source, string name)
    {
        var words = text.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 1 || words[0].Length != 32 || !words[0].All(Uri.IsHexDigit))
        {
            throw new InvalidTinyCoreExtensionException(source.ToString(), "first word", "not an md5 hex digest");
        }

        if (words.Length > 1 && words[1].TrimStart('*') != name)
        {
            throw new InvalidTinyCoreExtensionException(source.ToString(), "file name", $"names '{words[1]}', not {name}");
        }

        return words[0].ToLowerInvariant();
    }
}
