using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Fixtures;

namespace Boot2IsoKit.Tests.Architecture;

/// <summary>
/// The rules ARCHITECTURE.md states for the library's folders, read from the sources: every file's namespace is its
/// folder; Plumbing uses nothing else; formats use only plumbing and the rootfs vocabulary; and no two folders
/// (<c>Formats/Iso9660</c>, <c>Stages/Planning</c>, ...) use each other, directly or around a circle. A use is a
/// <c>using</c> line or a qualified name (code or a doc comment's cref) naming another folder's namespace.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string[] Roles = ["Formats", "Inputs", "Stages", "Model", "Plumbing"];

    [Fact]
    public void Every_file_s_namespace_is_its_folder()
    {
        var wrong = Sources()
            .Where(s => s.Namespace is not null && s.Namespace != s.Folder)
            .Select(s => $"{s.Path}: namespace {s.Namespace}")
            .ToList();

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void Plumbing_uses_only_plumbing_and_formats_only_plumbing_and_the_rootfs_vocabulary()
    {
        var broken = Uses()
            .Where(u => (Role(u.From) == "Plumbing" && Role(u.To) != "Plumbing")
                || (Role(u.From) == "Formats" && Role(u.To) is not ("Formats" or "Plumbing") && u.To != "Model/Rootfs"))
            .Select(u => $"{u.File} uses {u.To}")
            .ToList();

        Assert.True(broken.Count == 0, string.Join(Environment.NewLine, broken));
    }

    [Fact]
    public void No_two_folders_use_each_other_directly_or_around_a_circle()
    {
        var uses = Uses().ToList();
        var edges = uses.GroupBy(u => u.From).ToDictionary(g => g.Key, g => g.Select(u => u.To).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        var cycles = StronglyConnected(edges).Where(c => c.Count > 1).ToList();

        Assert.True(cycles.Count == 0, string.Join(Environment.NewLine, cycles.Select(c =>
            string.Join(" <-> ", c) + ": " + string.Join("; ", uses.Where(u => c.Contains(u.From) && c.Contains(u.To)).Select(u => $"{u.File} uses {u.To}").Distinct().Take(12)))));
    }

    /// <summary>The rule's own check: a made-up circle is found.</summary>
    [Fact]
    public void The_cycle_finder_finds_a_circle_of_three_and_not_a_chain()
    {
        var circle = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["a"] = ["b"], ["b"] = ["c"], ["c"] = ["a"], ["d"] = ["a"] };
        var chain = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["a"] = ["b"], ["b"] = ["c"] };

        Assert.Equal(["a", "b", "c"], Assert.Single(StronglyConnected(circle), c => c.Count > 1));
        Assert.DoesNotContain(StronglyConnected(chain), c => c.Count > 1);
    }

    private static string Role(string folder) => folder.Split('/')[0];

    private sealed record Source(string Path, string Folder, string? Namespace, string Text);

    private sealed record Use(string From, string To, string File);

    private static IEnumerable<Source> Sources()
    {
        var library = Path.Combine(RepositoryRoot.Find(), "src", "Boot2IsoKit");
        foreach (var path in Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories))
        {
            var parts = Path.GetRelativePath(library, path).Split(Path.DirectorySeparatorChar);
            if (parts.Length < 3 || !Roles.Contains(parts[0]) || parts[1] is "bin" or "obj")
            {
                continue;
            }

            var text = File.ReadAllText(path);
            var declared = NamespaceLine().Match(text);
            var folder = string.Join('/', parts[..^1]);
            yield return new Source(Path.GetRelativePath(library, path), "Boot2IsoKit." + folder.Replace('/', '.'), declared.Success ? declared.Groups[1].Value : null, text);
        }
    }

    /// <summary>Uses between second-level folders (Formats/Iso9660/Reading counts as Formats/Iso9660).</summary>
    private static IEnumerable<Use> Uses()
    {
        foreach (var source in Sources())
        {
            var from = string.Join('/', source.Folder.Split('.')[1..3]);
            foreach (var line in source.Text.Split('\n').Where(l => !l.TrimStart().StartsWith("namespace ", StringComparison.Ordinal)))
            {
                foreach (Match reference in QualifiedName().Matches(line))
                {
                    var to = reference.Groups[1].Value + "/" + reference.Groups[2].Value;
                    if (Roles.Contains(reference.Groups[1].Value) && to != from)
                    {
                        yield return new Use(from, to, source.Path);
                    }
                }
            }
        }
    }

    /// <summary>Tarjan's strongly connected components: each circle of folders is one component of two or more.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<List<string>>();
        var nodes = edges.Keys.Concat(edges.Values.SelectMany(v => v)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in edges.GetValueOrDefault(node) ?? [])
            {
                if (!index.TryGetValue(next, out var visited))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[node] = Math.Min(low[node], visited);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                }
                while (member != node);
                components.Add([.. component.Order(StringComparer.Ordinal)]);
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return components;
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"\bBoot2IsoKit\.(\w+)\.(\w+)")]
    private static partial Regex QualifiedName();
}
