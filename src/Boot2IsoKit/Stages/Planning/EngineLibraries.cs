using Boot2IsoKit.Formats.Elf;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Stages.Injection;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// The shared libraries a dynamically linked engine (Debian's docker.io, a distribution build) needs in
/// the target, checked the way injected packages are (<see cref="LibraryInjector"/>, closure mode):
/// libraries the base lacks are added from the donor root, glibc is the base's own and must be new
/// enough, and anything missing is an error naming the binary and the library, before anything is built.
/// Docker's static engines need nothing: their plan is empty.
/// </summary>
/// <remarks>
/// Where the libraries come from: the recipe names the Debian packages that provide them
/// (<c>engine.libraries</c>, e.g. libsystemd0, libdevmapper1.02.1 and libseccomp2 for bookworm's docker.io),
/// extracted into the donor directory by the caller. A base that already has them needs none.
/// The engine's binaries stay where the engine tgz puts them (/usr/local/bin); only libraries are planned
/// here, and there is no bundled-loader fallback: dockerd starts containerd and runc by name, which a
/// wrapper would hide behind a shell script.
/// </remarks>
internal static class EngineLibraries
{
    private const string BinaryDirectory = "usr/local/bin";

    /// <param name="engine">The extracted engine.</param>
    /// <param name="donorDirectory">A scratch directory owned by the caller, holding the library packages (may be empty); the engine's binaries are linked in under usr/local/bin.</param>
    /// <param name="target">The base rootfs.</param>
    /// <returns>The libraries (and the lib64 link) to add; empty for a static engine.</returns>
    /// <exception cref="LibraryResolutionException">A binary needs a library that neither the base nor the donor has.</exception>
    /// <exception cref="LibraryCompatibilityException">A binary needs more of glibc than the base has.</exception>
    public static EngineLibraryPlan Plan(EngineTarball engine, string donorDirectory, ITargetRootfs target)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var dynamic = new List<string>();
        var binDirectory = Directory.CreateDirectory(Path.Combine(donorDirectory, BinaryDirectory)).FullName;
        foreach (var entry in engine.Entries.Where(e => e.Kind == RootfsEntryKind.File && e.Content is Boot2IsoKit.Plumbing.IO.FileContent))
        {
            var spooled = ((Boot2IsoKit.Plumbing.IO.FileContent)entry.Content!).Path;
            if (!IsDynamicExecutable(spooled))
            {
                continue;
            }

            var name = entry.Path[(BinaryDirectory.Length + 1)..];
            var inDonor = Path.Combine(binDirectory, name);
            if (!File.Exists(inDonor))
            {
                File.Copy(spooled, inDonor);
            }

            dynamic.Add("/" + entry.Path);
        }

        if (dynamic.Count == 0)
        {
            return new EngineLibraryPlan([], null);
        }

        var plan = LibraryInjector.Plan(new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donorDirectory),
            Binaries = dynamic,
            Target = target,
            Mode = InjectionMode.Closure,
            PackageName = "engine",
        });
        // The binaries themselves come from the engine tgz, as for a static engine.
        var binaries = dynamic.Select(d => d.TrimStart('/')).ToHashSet(StringComparer.Ordinal);
        return new EngineLibraryPlan([.. plan.Entries.Where(e => !binaries.Contains(e.Path))], plan.Report);
    }

    private static bool IsDynamicExecutable(string path)
    {
        try
        {
            return ElfFile.HasElfMagic(path) && ElfFile.Read(path).Interpreter is not null;
        }
        catch (InvalidElfException)
        {
            return false; // a script or a non-ELF file: nothing to link
        }
    }
}

/// <param name="Entries">Libraries and links to add to the overlay.</param>
/// <param name="Report">What was added and reused, or null for a static engine.</param>
internal sealed record EngineLibraryPlan(IReadOnlyList<RootfsEntry> Entries, InjectionReport? Report);
