using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Pipeline;
using Boot2IsoKit.Testing.Fixtures;

namespace Boot2IsoKit.Tests.Stages.Remaster;

/// <summary>Runs the real pipeline (recipe file → planner → native remaster) the way build.sh does, in a temp directory.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class RemasterHarness : IDisposable
{
    public RemasterHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("b2ik-remaster-").FullName;
    }

    public string Directory { get; }

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>Writes the recipe and an overlay folder (files given as path → (content, mode)), returns the recipe path.</summary>
    public string WriteRecipe(string yaml, IReadOnlyDictionary<string, (string Content, int Mode)>? overlay = null)
    {
        if (overlay is not null)
        {
            foreach (var (path, (content, mode)) in overlay)
            {
                var file = System.IO.Path.Combine(Directory, "overlay", path);
                System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
                File.WriteAllText(file, content);
                File.SetUnixFileMode(file, (UnixFileMode)mode);
            }
        }

        var recipe = Path("recipe.yml");
        File.WriteAllText(recipe, yaml.Replace("{overlay}", Path("overlay"), StringComparison.Ordinal));
        return recipe;
    }

    public async Task<BuildRecord> BuildAsync(string recipe, params (string Name, string Value)[] arguments)
    {
        using var pipeline = Pipeline(recipe, arguments);
        return await pipeline.BuildAsync();
    }

    /// <summary>The paths of the delta the pipeline would plan for <paramref name="recipe"/> (native builder).</summary>
    public async Task<IReadOnlyList<string>> PlanAsync(string recipe, params (string Name, string Value)[] arguments)
    {
        using var pipeline = Pipeline(recipe, arguments);
        using var plan = await pipeline.PlanAsync();
        return [.. plan.Delta.Entries.Select(e => e.Path)];
    }

    private IsoPipeline Pipeline(string recipe, (string Name, string Value)[] arguments)
    {
        var values = arguments.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal);
        values["recipe"] = recipe;
        values.TryAdd("output", Path("out.iso"));
        values.TryAdd("cache-dir", System.IO.Path.Combine(RepositoryRoot.Find(), "artifacts", "cache"));
        return new IsoPipeline(new PipelineContext(RepositoryRoot.Find(), Directory, PipelineArguments.Read(values), PipelineLog.Silent));
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
