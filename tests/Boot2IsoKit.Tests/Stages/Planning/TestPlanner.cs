using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Stages.Planning;

namespace Boot2IsoKit.Tests.Stages.Planning;

/// <summary>
/// The real <see cref="BuildPlanner"/> for tests that start from a recipe made in code: local inputs only
/// (an offline input cache in <paramref name="work"/>), a fixed source date, and the base image's files
/// read through the engine when a connection is given.
/// </summary>
internal sealed class TestPlanner(string work, DockerConnection? connection = null, IInputResolver? inputs = null)
{
    public const long SourceDate = 1593388800;

    public BuildPlanner Planner { get; } = new(
        inputs ?? new CachedInputResolver(new InputCacheStore(Path.Combine(work, "cache"), null, offline: true), new BaseIndexCache(Path.Combine(work, "base-index"))),
        new DebianPackageSource(Path.Combine(work, "debian"), new Boot2IsoKit.Inputs.Downloads.Downloader(new Boot2IsoKit.Inputs.Downloads.DownloaderOptions())),
        new PlannerSettings(work, Directory.CreateDirectory(Path.Combine(work, "scratch-" + Guid.NewGuid().ToString("N")[..8])).FullName, SourceDate, PipelineLog.Silent),
        connection is null ? null : new BaseImageFiles(connection));

    /// <summary>A recipe in code; <paramref name="overlay"/> is a directory whose tree is copied into the rootfs.</summary>
    public static Recipe Recipe(string name, string baseVersion, string? baseIso = null, string? baseImage = null, string? engineVersion = null, string? engineTgz = null, string? motd = null, string? volumeId = null, string? overlay = null, string? output = null) => new()
    {
        Name = name,
        Base = new BaseSpec("v" + baseVersion, RecipeLoader.DefaultRepository, RecipeLoader.DefaultAsset, RecipeLoader.DefaultImage, baseIso, baseImage),
        Engine = engineVersion is null ? null : new EngineSpec(engineVersion, null, null, null, engineTgz, new Dictionary<string, string>()),
        Motd = motd,
        VolumeId = volumeId,
        Overlays = overlay is null ? [] : [overlay],
        Output = output,
    };

    public Task<BuildPlan> PlanAsync(Recipe recipe, BuilderKind builder) =>
        Planner.PlanAsync(recipe, builder, TestContext.Current.CancellationToken);

    /// <summary>Writes files (rootfs path → (text, mode)) into a new overlay directory under <paramref name="work"/>.</summary>
    public static string Overlay(string work, params (string Path, string Text, int Mode)[] files)
    {
        var root = Directory.CreateDirectory(Path.Combine(work, "overlay-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        foreach (var (path, text, mode) in files)
        {
            // A rootfs path may be written absolute ("/etc/..."): it is always inside the overlay.
            var file = Path.Combine(root, path.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, (UnixFileMode)mode);
            }
        }

        return root;
    }
}
