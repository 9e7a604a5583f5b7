using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.BillOfMaterials;
using Boot2IsoKit.Stages.Bundle;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Stages.Inspection;
using Boot2IsoKit.Stages.MachineCache;
using Boot2IsoKit.Stages.Planning;
using Boot2IsoKit.Stages.Remaster;
using Boot2IsoKit.Stages.Verification;

namespace Boot2IsoKit.Stages.Pipeline;

/// <summary>
/// The targets of build/build.cake, one method each. The Cake script only wires these; everything
/// they do is in the stages they call (planner, builders, inspector, seeder, bundle writer).
/// </summary>
public sealed class IsoPipeline(PipelineContext context) : IDisposable
{
    private PipelineArguments Arguments => context.Arguments;

    private PipelineLog Log => context.Log;

    /// <summary>
    /// Resolve, Fetch, Overlay, Build: writes the recipe's ISO with the chosen builder. <paramref name="recipePath"/>
    /// is the recipe the target always builds (relative to the repository); null builds --recipe or the default.
    /// </summary>
    public async Task<BuildRecord> BuildAsync(string? recipePath = null, CancellationToken cancellationToken = default)
    {
        var recipe = LoadRecipe(recipePath);
        var docker = Arguments.Builder == BuilderKind.Docker;
        using var connection = docker ? await DockerConnection.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false) : null;
        using var plan = await Planner(connection).PlanAsync(recipe, Arguments.Builder, cancellationToken).ConfigureAwait(false);
        IIsoBuilder builder = connection is null
            ? new NativeRemaster(Log)
            : new DockerIsoBuilder(connection)
            {
                UseBuildCache = !Arguments.NoCache,
                ContextDirectory = Path.Combine(context.Artifacts, recipe.Name, "docker"),
                Progress = new CallbackProgress<string>(step => Log.Detail(step)),
            };
        var outcome = await builder.BuildAsync(plan, cancellationToken).ConfigureAwait(false);
        Log.Info(outcome.Summary);

        var record = new BuildRecord
        {
            Iso = outcome.IsoPath,
            Sha256 = outcome.Sha256,
            Label = plan.Iso.VolumeLabel,
            Recipe = recipe.Name,
            Builder = builder.Name,
            EngineVersion = plan.Engine?.Version,
            Versions = new() { ["base"] = plan.BaseVersion, ["stamped"] = plan.StampedVersion },
            Inputs = await InputHashesAsync(plan, recipe.Base.Iso, cancellationToken).ConfigureAwait(false),
            Verify = new VerificationFacts
            {
                EngineVersion = plan.Engine?.Version,
                StampedVersion = plan.StampedVersion,
                MotdBanner = recipe.Motd,
                InjectedBinaries = plan.InjectedBinaries,
                Images = [.. plan.Materials.Materials.OfType<BuildMaterial.Image>().SelectMany(i => i.Archive.Images).Select(i => i.ImageId).Distinct(StringComparer.Ordinal)],
                Commands = recipe.Verify,
            },
        };
        await BillOfMaterialsWriter.WriteAsync(
            new BillOfMaterialsRequest(plan, outcome.IsoPath, outcome.Sha256, builder.Name, record.Inputs, BaseIsoUrl(plan), context.RepositoryRoot),
            cancellationToken).ConfigureAwait(false);
        record.Save(context.Artifacts);
        return record;
    }

    /// <summary>Resolve, Fetch and Overlay only: the plan the build would carry out (the caller disposes it).</summary>
    internal async Task<BuildPlan> PlanAsync(string? recipePath = null, CancellationToken cancellationToken = default)
    {
        var recipe = LoadRecipe(recipePath);
        using var connection = Arguments.Builder == BuilderKind.Docker ? await DockerConnection.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false) : null;
        return await Planner(connection).PlanAsync(recipe, Arguments.Builder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Verify: boots --iso (default: the last build) in QEMU as docker-machine does and checks what its
    /// build record promised; throws <see cref="VerificationFailedException"/> naming the failed rows.
    /// </summary>
    public async Task VerifyAsync(string? builtIso = null, CancellationToken cancellationToken = default)
    {
        var iso = builtIso ?? IsoArgument();
        var facts = BuildRecord.ForIso(iso)?.Verify ?? new VerificationFacts();
        var options = new VerifyOptions { Accelerator = Arguments.Accelerator ?? VmAccelerator.Tcg, IsolatedNetwork = Arguments.NoNetwork };
        var report = await new IsoVerifier(options, Log.Info).VerifyAsync(iso, facts, cancellationToken).ConfigureAwait(false);
        Log.Info(report.ToText().TrimEnd());
        if (!report.Passed)
        {
            throw new VerificationFailedException(report);
        }
    }

    /// <summary>Fetch: puts every input of the recipe into the input cache, so a later build can run --offline.</summary>
    public async Task FetchAsync(CancellationToken cancellationToken = default)
    {
        var recipe = LoadRecipe(null);
        // Planning for the native builder fetches the base ISO, the engine, the Debian packages the recipe injects and its images.
        using var plan = await Planner(null).PlanAsync(recipe, BuilderKind.Native, cancellationToken).ConfigureAwait(false);
        var baseIso = ((BuildBase.IsoFile)plan.Base).Opened.Path;
        var pulled = plan.Materials.Materials.OfType<BuildMaterial.Image>().Count(i => i.Archive.Pulled is not null);
        Log.Info($"Inputs of {recipe.Name} are in {context.Cache.Root}: base {baseIso}, engine {plan.Engine?.Tgz ?? "(kept from the base)"}, Debian packages in {context.DebianCacheDirectory}"
            + (pulled > 0 ? $", {pulled} pulled image(s) by digest" : ""));
    }

    /// <summary>The planner, wired to this run's input cache, Debian cache, scratch directory and source date.</summary>
    private BuildPlanner Planner(DockerConnection? connection) => new(
        new CachedInputResolver(context.Cache, new BaseIndexCache(context.BaseIndexDirectory), Log.Detail),
        new DebianPackageSource(context.DebianCacheDirectory, context.Downloader, Log.Warning, context.AptRoot, Arguments.Refresh),
        new PlannerSettings(context.RepositoryRoot, context.Scratch, context.SourceDateEpoch, Log),
        connection is null ? null : new BaseImageFiles(connection));

    /// <summary>Inspect: describes an ISO, and what it changed against --compare.</summary>
    public string Inspect()
    {
        var iso = IsoArgument();
        return IsoInspector.Describe(iso, Arguments.Compare is { } compare ? context.FromCommandLine(compare) : null, new BaseIndexCache(context.BaseIndexDirectory));
    }

    /// <summary>SeedCache: puts the ISO into docker-machine's cache (or restores a backup) and explains what docker-machine will do.</summary>
    public string SeedCache()
    {
        var store = MachineStore.ResolveForCurrentUser(Arguments.StoragePath is { } path ? context.FromCommandLine(path) : null);
        var seeder = new CacheSeeder(new IsoOsReleaseProbe());
        if (Arguments.Restore is { } backup)
        {
            var restored = seeder.Restore(store, backup.Length == 0 ? null : backup);
            return $"Restored {restored.CachedIsoPath} from {restored.RestoredFrom}" + (restored.BackupOfReplaced is { } kept ? $"; the replaced ISO is kept as {kept}" : "");
        }

        var iso = IsoArgument();
        var result = seeder.Seed(new SeedRequest
        {
            IsoPath = iso,
            Store = store,
            Force = Arguments.Force,
            Provenance = BuildRecord.ForIso(iso)?.ToProvenance(),
            MachineName = Arguments.Machine,
        });
        return result.Report.ToText();
    }

    /// <summary>Bundle: ISO, checksums, manifest and seed scripts for an air-gapped machine.</summary>
    public BundleResult Bundle()
    {
        var iso = IsoArgument();
        var record = BuildRecord.ForIso(iso);
        return BundleWriter.Write(new BundleRequest
        {
            IsoPath = iso,
            Name = Path.GetFileNameWithoutExtension(iso),
            OutputDirectory = Path.Combine(context.Artifacts, "bundle"),
            Provenance = record?.ToProvenance(),
            BillOfMaterialsPath = File.Exists(BillOfMaterialsWriter.PathFor(iso)) ? BillOfMaterialsWriter.PathFor(iso) : null,
            Force = Arguments.Force,
            OsReleaseProbe = new IsoOsReleaseProbe(),
            Timestamp = context.SourceDateEpoch is { } epoch ? DateTimeOffset.FromUnixTimeSeconds(epoch) : null,
        });
    }

    /// <summary>Removes this run's scratch directory (donor roots, spooled files).</summary>
    public void Dispose() => context.Dispose();

    /// <summary>
    /// The recipe with the command line applied (<see cref="RecipeOverrides"/>). <paramref name="targetRecipe"/> is
    /// the recipe a target always builds (ExperimentalIso's), relative to the repository; null: --recipe, else the
    /// default. A --recipe that names another file than the target's is refused, not ignored: the user meant it.
    /// </summary>
    private Recipe LoadRecipe(string? targetRecipe)
    {
        var given = Arguments.RecipePath is { } path ? context.FromCommandLine(path) : null;
        var file = targetRecipe is not null ? context.FromRepository(targetRecipe) : given ?? context.FromRepository(PipelineArguments.DefaultRecipe);
        if (given is not null && !string.Equals(given, file, StringComparison.Ordinal))
        {
            throw new InvalidInputException("--recipe", "command line", $"this target always builds {targetRecipe}; to build {Arguments.RecipePath}, use --target=Iso --recipe={Arguments.RecipePath}");
        }

        return RecipeOverrides.Apply(RecipeLoader.LoadFile(file), Arguments, context.FromCommandLine);
    }

    /// <summary>--iso, else the ISO the last build wrote.</summary>
    private string IsoArgument()
    {
        var iso = Arguments.Iso is { } given
            ? context.FromCommandLine(given)
            : BuildRecord.LastBuild(context.Artifacts)?.Iso
              ?? throw new Boot2IsoKitException("No ISO given and none built yet: pass --iso=PATH or run --target=ExperimentalIso first.");
        return File.Exists(iso) ? iso : throw new InvalidInputException("--iso", iso, "no such file");
    }

    /// <summary>Where the input cache fetched the plan's base ISO from; null for a local file.</summary>
    private Uri? BaseIsoUrl(BuildPlan plan) =>
        plan.Base is BuildBase.IsoFile iso
            ? context.Cache.Entries.LastOrDefault(e => string.Equals(Path.GetFullPath(e.Path), Path.GetFullPath(iso.Opened.Path), StringComparison.Ordinal))?.Url
            : null;

    /// <summary>The sha256 of the base ISO and the engine tgz, by input name, for the build record.</summary>
    private static async Task<Dictionary<string, string>> InputHashesAsync(BuildPlan plan, string? localBaseIso, CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var baseIso = plan.Base is BuildBase.IsoFile iso ? iso.Opened.Path : localBaseIso;
        if (baseIso is not null)
        {
            hashes["base-iso"] = await FileHash.Sha256Async(baseIso, cancellationToken).ConfigureAwait(false);
        }

        if (plan.Engine is { } engine)
        {
            hashes["engine-tgz"] = engine.Sha256 ?? await FileHash.Sha256Async(engine.Tgz, cancellationToken).ConfigureAwait(false);
        }

        return hashes;
    }
}
