using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Stages.Injection;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// Plans the libraries of a dynamically linked engine (<see cref="EngineLibraries"/>) during planning,
/// so a missing library fails the build before anything is written: extracts the engine tgz and the
/// Debian packages the recipe names in <c>engine.libraries</c>, then checks the closure against the base.
/// </summary>
internal static class EngineLibraryPlanner
{
    public static async Task<PlannedEngineLibraries> PlanAsync(Recipe recipe, EngineTarball tarball, string version, BaseIso? target, IDebianSource debian, PlannerSettings settings, CancellationToken cancellationToken)
    {
        if (target is null)
        {
            settings.Log.Warning("the engine's libraries cannot be checked without the base rootfs (docker builder without --base-iso): a dynamically linked engine may not start");
            return new PlannedEngineLibraries([], [], settings.Scratch);
        }

        var donor = Directory.CreateDirectory(Path.Combine(settings.Scratch, "engine-libraries")).FullName;
        IReadOnlyList<ExtractedDebianPackage> packages = [];
        if (recipe.Engine?.Libraries is { } libraries)
        {
            // libc6 comes too: the closure is read in the donor, then the base's own glibc is used (closure mode).
            packages = await debian.ExtractAsync(
                new DebianRequest([.. libraries.Debs, "libc6"], libraries.Suite, null, recipe.DebianMirror, $"{recipe.SourcePath}: line {libraries.Line} (engine.libraries)", donor),
                cancellationToken).ConfigureAwait(false);
        }

        EngineLibraryPlan plan;
        try
        {
            plan = EngineLibraries.Plan(tarball, donor, new InitrdRootfs(target.Contents, $"base initrd of {Path.GetFileName(target.Path)}"));
        }
        catch (LibraryResolutionException e) when (recipe.Engine?.Libraries is null)
        {
            throw new LibraryResolutionException(
                $"{e.Message}. The engine {version} is dynamically linked: name the Debian packages that provide its libraries in {recipe.SourcePath}, engine.libraries (suite: and debs:, e.g. libsystemd0, libdevmapper1.02.1, libseccomp2 for Debian's docker.io), or pin a static engine");
        }

        if (plan.Report is { } report)
        {
            settings.Log.Info(report.ToString().TrimEnd());
        }

        return new PlannedEngineLibraries(plan.Entries, packages, donor);
    }
}

/// <summary>The entries for an engine's libraries, and the Debian packages unpacked into <paramref name="DonorRoot"/> for them.</summary>
internal sealed record PlannedEngineLibraries(IReadOnlyList<RootfsEntry> Entries, IReadOnlyList<ExtractedDebianPackage> Packages, string DonorRoot);
