using Boot2IsoKit.Debian;
using Boot2IsoKit.Engines;
using Boot2IsoKit.Errors;
using Boot2IsoKit.Libraries;
using Boot2IsoKit.Pipeline;
using Boot2IsoKit.Recipes;
using Boot2IsoKit.Remaster;
using Boot2IsoKit.Rootfs;

namespace Boot2IsoKit.Planning;

/// <summary>
/// Plans the libraries of a dynamically linked engine (<see cref="EngineLibraries"/>) during planning,
/// so a missing library fails the build before anything is written: extracts the engine tgz and the
/// Debian packages the recipe names in <c>engine.libraries</c>, then checks the closure against the base.
/// </summary>
internal sealed class EngineLibraryPlanner(PipelineContext context)
{
    public async Task<IReadOnlyList<RootfsEntry>> PlanAsync(Recipe recipe, EngineInput engine, BaseIso? target, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateDirectory(Path.Combine(context.Scratch, "engine-libraries")).FullName;
        var tarball = await EngineTarball.ExtractAsync(engine.LocalTgz ?? throw new ArgumentException("the engine has no local tgz", nameof(engine)), Path.Combine(scratch, "engine"), 0, cancellationToken).ConfigureAwait(false);
        var donor = Directory.CreateDirectory(Path.Combine(scratch, "donor")).FullName;
        if (target is null)
        {
            context.Log.Warning("the engine's libraries cannot be checked without the base rootfs (docker builder without --base-iso): a dynamically linked engine may not start");
            return [];
        }

        if (recipe.Engine?.Libraries is { } libraries)
        {
            var repository = new DebianRepository(
                DebianMirror.FromConfiguration(recipe.DebianMirror) ?? throw new Boot2IsoKitException($"{recipe.SourcePath}:{libraries.Line}: engine.libraries needs a Debian mirror: set debian.mirror in the recipe, {DebianMirror.EnvironmentVariable}, or run on a host with apt configured"),
                context.DebianCacheDirectory,
                context.Downloader);
            var index = await repository.LoadIndexAsync(libraries.Suite, cancellationToken: cancellationToken).ConfigureAwait(false);
            // libc6 comes too: the closure is read in the donor, then the base's own glibc is used (closure mode).
            var resolved = index.Resolve([.. libraries.Debs, "libc6"]);
            await repository.ExtractAllAsync(resolved.Packages, donor, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        EngineLibraryPlan plan;
        try
        {
            plan = EngineLibraries.Plan(tarball, donor, new InitrdRootfs(target.Contents, $"base initrd of {Path.GetFileName(target.Path)}"));
        }
        catch (LibraryResolutionException e) when (recipe.Engine?.Libraries is null)
        {
            throw new LibraryResolutionException(
                $"{e.Message}. The engine {engine.Version} is dynamically linked: name the Debian packages that provide its libraries in {recipe.SourcePath}, engine.libraries (suite: and debs:, e.g. libsystemd0, libdevmapper1.02.1, libseccomp2 for Debian's docker.io), or pin a static engine");
        }

        if (plan.Report is { } report)
        {
            context.Log.Info(report.ToString().TrimEnd());
        }

        return plan.Entries;
    }
}
