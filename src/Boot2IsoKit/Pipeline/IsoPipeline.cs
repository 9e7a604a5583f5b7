using Boot2IsoKit.Bundle;
using Boot2IsoKit.Docker;
using Boot2IsoKit.IO;
using Boot2IsoKit.Errors;
using Boot2IsoKit.Inspection;
using Boot2IsoKit.MachineCache;
using Boot2IsoKit.Planning;
using Boot2IsoKit.Recipes;
using Boot2IsoKit.Remaster;
using Boot2IsoKit.Verification;

namespace Boot2IsoKit.Pipeline;

/// <summary>
/// The targets of build/build.cake, one method each. The Cake script only wires these; everything
/// they do is in the stages they call (planner, builders, inspector, seeder, bundle writer).
/// </summary>
public sealed class IsoPipeline(PipelineContext context) : IDisposable
{
    private PipelineArguments Arguments => context.Arguments;

    private PipelineLog Log => context.Log;

    /// <summary>Resolve, Fetch, Overlay, Build, Verify: writes the recipe's ISO with the chosen builder.</summary>
    public async Task<BuildRecord> BuildAsync(string? recipePath = null, CancellationToken cancellationToken = default)
    {
        var recipe = LoadRecipe(recipePath);
        var planner = new BuildPlanner(context);
        var engine = await planner.ResolveEngineAsync(recipe, cancellationToken).ConfigureAwait(false);
        var docker = Arguments.Builder == BuilderKind.Docker;

        // The docker builder starts from the base image; a base ISO is only read when one is given, to
        // check injected binaries against its rootfs (without it they are bundled with their own loader).
        var baseIsoPath = docker && Arguments.BaseIso is null && recipe.Base.Iso is null
            ? null
            : await planner.ResolveBaseIsoAsync(recipe, cancellationToken).ConfigureAwait(false);
        using var baseIso = baseIsoPath is null ? null : OpenBase(baseIsoPath);
        var plan = await planner.PlanAsync(recipe, baseIsoPath, baseIso, engine, cancellationToken).ConfigureAwait(false);

        string iso;
        string sha256;
        if (docker)
        {
            using var connection = await DockerConnection.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var steps = new CallbackProgress<string>(step => Log.Detail(step));
            var result = await new DockerIsoBuilder(connection) { UseBuildCache = !Arguments.NoCache }
                .BuildAsync(plan, Path.Combine(context.Artifacts, recipe.Name, "docker"), steps, cancellationToken)
                .ConfigureAwait(false);
            iso = result.IsoPath;
            sha256 = await FileHash.Sha256Async(iso, cancellationToken).ConfigureAwait(false);
            Log.Info($"Built {iso} with the docker builder from {plan.BaseImage} ({result.BuildSteps.Count} steps, ISO taken from {result.Extraction})");
        }
        else
        {
            var report = await NativeRemaster.BuildAsync(plan, baseIso!, Log, cancellationToken).ConfigureAwait(false);
            Log.Info(report.ToString());
            iso = report.OutputIso;
            sha256 = report.OutputSha256;
        }

        var record = new BuildRecord
        {
            Iso = iso,
            Sha256 = sha256,
            Label = plan.VolumeLabel,
            Recipe = recipe.Name,
            Builder = docker ? "docker" : "native",
            EngineVersion = engine?.Version,
            Versions = new() { ["base"] = plan.BaseVersion, ["stamped"] = plan.StampedVersion },
            Inputs = await InputHashesAsync(baseIsoPath, engine?.LocalTgz, cancellationToken).ConfigureAwait(false),
            Verify = new VerificationFacts
            {
                EngineVersion = engine?.Version,
                StampedVersion = plan.StampedVersion,
                MotdBanner = plan.MotdBanner,
                InjectedBinaries = plan.InjectedBinaries,
                Commands = recipe.Verify,
            },
        };
        record.Save(context.Artifacts);
        return record;
    }

    /// <summary>
    /// Verify: boots --iso (default: the last build) in QEMU as docker-machine does and checks what its
    /// build record promised; throws <see cref="VerificationFailedException"/> naming the failed rows.
    /// </summary>
    public async Task<VerificationReport> VerifyAsync(string? builtIso = null, CancellationToken cancellationToken = default)
    {
        var iso = builtIso ?? IsoArgument();
        var facts = BuildRecord.ForIso(iso)?.Verify ?? new VerificationFacts();
        var options = new VerifyOptions { Accelerator = Arguments.Accelerator ?? VmAccelerator.Tcg };
        var report = await new IsoVerifier(options, Log.Info).VerifyAsync(iso, facts, cancellationToken).ConfigureAwait(false);
        Log.Info(report.ToText().TrimEnd());
        return report.Passed ? report : throw new VerificationFailedException(report);
    }

    /// <summary>Fetch: puts every input of the recipe into the input cache, so a later build can run --offline.</summary>
    public async Task FetchAsync(CancellationToken cancellationToken = default)
    {
        var recipe = LoadRecipe(null);
        var planner = new BuildPlanner(context);
        var baseIsoPath = await planner.ResolveBaseIsoAsync(recipe, cancellationToken).ConfigureAwait(false);
        var engine = await planner.ResolveEngineAsync(recipe, cancellationToken).ConfigureAwait(false);
        using var baseIso = OpenBase(baseIsoPath);
        // Planning downloads and checks the Debian packages the recipe injects.
        await planner.PlanAsync(recipe, baseIsoPath, baseIso, engine, cancellationToken).ConfigureAwait(false);
        Log.Info($"Inputs of {recipe.Name} are in {context.Cache.Root}: base {baseIsoPath}, engine {engine?.LocalTgz ?? "(kept from the base)"}, Debian packages in {context.DebianCacheDirectory}");
    }

    /// <summary>Opens the base with the input cache's index of decoded initrds (a base decoded once is not decoded again).</summary>
    private BaseIso OpenBase(string path)
    {
        var baseIso = BaseIso.Open(path, new BaseIndexCache(context.BaseIndexDirectory));
        Log.Detail(baseIso.FromIndexCache
            ? $"base initrd listing of {path} from {context.BaseIndexDirectory} (not decoded again)"
            : $"base initrd of {path} decoded; its listing is kept in {context.BaseIndexDirectory}");
        return baseIso;
    }

    /// <summary>Inspect: describes an ISO, and what it changed against --compare.</summary>
    public string Inspect()
    {
        var iso = IsoArgument();
        return IsoInspector.Describe(iso, Arguments.Compare is { } compare ? context.FromCommandLine(compare) : null);
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
            Force = Arguments.Force,
            OsReleaseProbe = new IsoOsReleaseProbe(),
        });
    }

    /// <summary>Removes this run's scratch directory (donor roots, spooled files).</summary>
    public void Dispose() => context.Dispose();

    private Recipe LoadRecipe(string? recipePath) =>
        RecipeLoader.LoadFile(recipePath is not null ? context.FromRepository(recipePath) : context.FromCommandLine(Arguments.RecipePath));

    /// <summary>--iso, else the ISO the last build wrote.</summary>
    private string IsoArgument()
    {
        var iso = Arguments.Iso is { } given
            ? context.FromCommandLine(given)
            : BuildRecord.LastBuild(context.Artifacts)?.Iso
              ?? throw new Boot2IsoKitException("No ISO given and none built yet: pass --iso=PATH or run --target=ExperimentalIso first.");
        return File.Exists(iso) ? iso : throw new InvalidInputException("--iso", iso, "no such file");
    }

    private static async Task<Dictionary<string, string>> InputHashesAsync(string? baseIso, string? engineTgz, CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (baseIso is not null)
        {
            hashes["base-iso"] = await FileHash.Sha256Async(baseIso, cancellationToken).ConfigureAwait(false);
        }

        if (engineTgz is not null)
        {
            hashes["engine-tgz"] = await FileHash.Sha256Async(engineTgz, cancellationToken).ConfigureAwait(false);
        }

        return hashes;
    }
}
