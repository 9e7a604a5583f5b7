namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// The packages one source offers (a mirror's Packages index for a suite/component/architecture, or a
/// set of local .deb files), and dependency resolution over them.
/// <code>var set = index.Resolve(["ipvsadm"], new ResolveOptions { Exclude = { "libc6" } });</code>
/// </summary>
internal sealed class PackagesIndex
{
    private readonly IPackageRecords _records;
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _providers = new(StringComparer.Ordinal);

    public PackagesIndex(IEnumerable<DebianPackageInfo> packages, string description)
        : this(new ParsedRecords([.. packages]), description)
    {
    }

    /// <summary>An index over records that are read only when asked for (a suite holds ~60,000; a build uses a few dozen).</summary>
    internal PackagesIndex(IPackageRecords records, string description)
    {
        ArgumentNullException.ThrowIfNull(records);
        _records = records;
        Description = description;
        for (var i = 0; i < records.Count; i++)
        {
            // Several versions of one name (local directories): keep the newest.
            var name = records.Name(i);
            if (!_byName.TryGetValue(name, out var existing) || DebianVersion.Compare(records.Version(i), records.Version(existing)) > 0)
            {
                _byName[name] = i;
            }
        }

        foreach (var (_, i) in _byName.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (records.Provides(i) is not { Length: > 0 } provides)
            {
                continue;
            }

            foreach (var provided in DebianRelation.ParseList(provides).SelectMany(g => g))
            {
                if (!_providers.TryGetValue(provided.Name, out var list))
                {
                    _providers[provided.Name] = list = [];
                }

                list.Add(i);
            }
        }
    }

    /// <summary>"deb mirror bookworm/main/amd64" or "local .debs in /srv/debs".</summary>
    public string Description { get; }

    public int Count => _byName.Count;

    /// <summary>Reads a Packages file (already decompressed).</summary>
    public static PackagesIndex Parse(TextReader reader, string description) => new(ParseStanzas(reader, description), description);

    /// <summary>The records of a Packages file, in file order.</summary>
    internal static List<DebianPackageInfo> ParseStanzas(TextReader reader, string description) =>
        [.. Deb822.Parse(reader, description, DebianPackageInfo.IndexFields.ToHashSet(StringComparer.OrdinalIgnoreCase))
            .Select(s => DebianPackageInfo.FromStanza(s, description))];

    /// <summary>Local sources: one .deb, or every .deb in a directory (air-gapped builders).</summary>
    public static PackagesIndex FromLocal(string path)
    {
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.deb").Order(StringComparer.Ordinal).ToList()
            : [path];
        var packages = files.Select(f => DebianPackageInfo.FromStanza(DebPackage.Open(f).ReadControl(), f, Path.GetFullPath(f))
            with
        { Size = new FileInfo(f).Length });
        return new PackagesIndex(packages, $"local .debs in {Path.GetFullPath(path)}");
    }

    public DebianPackageInfo? Find(string name) => _byName.TryGetValue(name, out var i) ? _records.Get(i) : null;

    /// <summary>Real packages that provide the virtual name, sorted by name.</summary>
    public IReadOnlyList<DebianPackageInfo> ProvidersOf(string name) => _providers.TryGetValue(name, out var list) ? [.. list.Select(_records.Get)] : [];

    private DebianPackageInfo? FirstProvider(string name) => _providers.TryGetValue(name, out var list) && list.Count > 0 ? _records.Get(list[0]) : null;

    /// <summary>
    /// The packages to fetch for <paramref name="names"/>: themselves and, transitively, their
    /// Pre-Depends and Depends. For "a | b" the first alternative this index can satisfy wins; a virtual
    /// name is satisfied by its first provider. Version constraints are checked against the single
    /// version the index holds; a miss is reported in <see cref="ResolvedPackages.Warnings"/>, not fatal
    /// (a suite is consistent; local sets may lag).
    /// </summary>
    /// <exception cref="DebianResolutionException">A package or a dependency cannot be satisfied.</exception>
    public ResolvedPackages Resolve(IEnumerable<string> names, ResolveOptions? options = null)
    {
        options ??= new ResolveOptions();
        var chosen = new Dictionary<string, DebianPackageInfo>(StringComparer.Ordinal);
        var skipped = new SortedSet<string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var queue = new Queue<(DebianPackageInfo Package, string Chain)>();
        foreach (var name in names)
        {
            var package = Find(name) ?? FirstProvider(name)
                ?? throw new DebianResolutionException($"package '{name}' is not in {Description}");
            if (chosen.TryAdd(package.Name, package))
            {
                queue.Enqueue((package, package.Name));
            }
        }

        while (queue.Count > 0)
        {
            var (package, chain) = queue.Dequeue();
            foreach (var group in DebianRelation.ParseList(package.PreDepends).Concat(DebianRelation.ParseList(package.Depends)))
            {
                if (group.Any(r => options.Exclude.Contains(r.Name)))
                {
                    skipped.UnionWith(group.Where(r => options.Exclude.Contains(r.Name)).Select(r => r.Name));
                    continue;
                }

                if (group.Any(r => chosen.ContainsKey(r.Name)))
                {
                    continue;
                }

                var pick = group.Select(r => (Relation: r, Package: Find(r.Name) ?? FirstProvider(r.Name)))
                    .FirstOrDefault(p => p.Package is not null);
                if (pick.Package is null)
                {
                    throw new DebianResolutionException(
                        $"{chain} depends on '{string.Join(" | ", group)}', which {Description} cannot satisfy");
                }

                if (options.SkipEssential && pick.Package.Essential)
                {
                    skipped.Add(pick.Package.Name);
                    continue;
                }

                if (pick.Relation.Operator is { } op && pick.Package.Name == pick.Relation.Name
                    && !DebianVersion.Satisfies(pick.Package.Version, op, pick.Relation.Version ?? ""))
                {
                    warnings.Add($"{package.Name} wants {pick.Relation}, {Description} has {pick.Package.Version}");
                }

                if (chosen.TryAdd(pick.Package.Name, pick.Package))
                {
                    queue.Enqueue((pick.Package, $"{chain} -> {pick.Package.Name}"));
                }
            }
        }

        return new ResolvedPackages([.. chosen.Values], [.. skipped], warnings);
    }
}

/// <summary>The records an index is built over: the fields it needs for every record, and whole records on demand.</summary>
internal interface IPackageRecords
{
    int Count { get; }

    string Name(int index);

    string Version(int index);

    string Provides(int index);

    DebianPackageInfo Get(int index);
}

/// <summary>Records already parsed (a Packages file, local .debs).</summary>
internal sealed class ParsedRecords(IReadOnlyList<DebianPackageInfo> packages) : IPackageRecords
{
    public int Count => packages.Count;

    public string Name(int index) => packages[index].Name;

    public string Version(int index) => packages[index].Version;

    public string Provides(int index) => packages[index].Provides;

    public DebianPackageInfo Get(int index) => packages[index];
}

/// <summary>What <see cref="PackagesIndex.Resolve"/> leaves out.</summary>
internal sealed class ResolveOptions
{
    /// <summary>Package names the target already provides (e.g. "libc6" when the base's glibc is used); a group naming one is satisfied.</summary>
    public ISet<string> Exclude { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Skip packages marked Essential: yes (bash, coreutils, ...), which every Debian system has.</summary>
    public bool SkipEssential { get; init; } = true;
}

/// <param name="Packages">Requested packages first, then dependencies in breadth-first order.</param>
/// <param name="Skipped">Names left out by <see cref="ResolveOptions"/>.</param>
/// <param name="Warnings">Version constraints the chosen packages do not meet.</param>
internal sealed record ResolvedPackages(IReadOnlyList<DebianPackageInfo> Packages, IReadOnlyList<string> Skipped, IReadOnlyList<string> Warnings);

/// <summary>A package or dependency that the source cannot satisfy.</summary>
internal sealed class DebianResolutionException : Boot2IsoKit.Plumbing.Errors.Boot2IsoKitException
{
    public DebianResolutionException(string message)
        : base(message)
    {
    }
}
