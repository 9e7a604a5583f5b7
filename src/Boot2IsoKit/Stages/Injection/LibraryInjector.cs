using System.Text;
using Boot2IsoKit.Formats.Elf;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.Injection;

/// <summary>
/// Plans the injection of dynamically linked binaries from a donor root into a target rootfs, checking
/// before anything is built that they will load there:
/// <code>var plan = LibraryInjector.Plan(new InjectionRequest { DonorRoot = new DirectoryRootfs(dir), Binaries = ["/sbin/ipvsadm"], Target = target, PackageName = "ipvsadm" });
/// plan.AddTo(overlay);</code>
/// </summary>
internal static class LibraryInjector
{
    /// <summary>glibc's loader accepts --argv0 from this release on.</summary>
    private static readonly Version Argv0Since = new(2, 33);

    /// <exception cref="LibraryCompatibilityException">Closure mode (or Auto, when bundling cannot help) finds the binaries incompatible.</exception>
    /// <exception cref="LibraryResolutionException">A needed library is not in the donor root.</exception>
    public static InjectionPlan Plan(InjectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PackageName.Length == 0 || !request.PackageName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-' or '_'))
        {
            throw new ArgumentException($"package name '{request.PackageName}' may hold only letters, digits, '.', '+', '-', '_'", nameof(request));
        }

        var donor = new LibrarySearch(request.DonorRoot);
        var closures = request.Binaries.Select(b => donor.Closure(RootfsPathResolver.Combine("/", b))).ToList();
        switch (request.Mode)
        {
            case InjectionMode.Closure:
                return PlanClosure(request, donor, closures, []);
            case InjectionMode.Bundled:
                return PlanBundled(request, donor, closures, []);
            default:
                try
                {
                    return PlanClosure(request, donor, closures, []);
                }
                catch (LibraryCompatibilityException e) when (e.Problems.All(p => p.BundlingHelps))
                {
                    return PlanBundled(request, donor, closures, [$"closure mode is not possible, bundled instead: {string.Join("; ", e.Problems)}"]);
                }
        }
    }

    private static InjectionPlan PlanClosure(InjectionRequest request, LibrarySearch donor, List<LibraryClosure> closures, List<string> notes)
    {
        var target = new LibrarySearch(request.Target);
        var problems = new List<LibraryProblem>();
        var entries = new List<RootfsEntry>();
        var added = new Dictionary<string, AddedLibrary>(StringComparer.Ordinal);
        var reused = new Dictionary<string, ResolvedLibrary>(StringComparer.Ordinal);
        var origin = $"{request.PackageName} closure";

        var first = closures[0].Elf;
        var targetLibc = target.Find("libc.so.6", closures[0].Path, first);
        var donorLibc = closures.SelectMany(c => c.Libraries).FirstOrDefault(l => l.Name == "libc.so.6")
            ?? donor.Find("libc.so.6", closures[0].Path, first);
        var targetGlibc = Release(request.Target, targetLibc);
        var donorGlibc = Release(request.DonorRoot, donorLibc);
        var libraryDirectory = request.LibraryDirectory is { } configured
            ? RootfsPathResolver.Combine("/", configured)
            : targetLibc is not null ? RootfsPathResolver.Directory(targetLibc.FoundPath) : "/usr/lib";

        foreach (var closure in closures)
        {
            CheckArchitecture(closure, targetLibc, problems);
            CheckInterpreter(closure, request.Target, problems, entries, notes, origin);
            foreach (var library in closure.Libraries)
            {
                if (reused.ContainsKey(library.Name) || added.ContainsKey(library.Name))
                {
                    continue;
                }

                var provided = target.Find(library.Name, closure.Path, closure.Elf);
                if (provided is not null)
                {
                    reused[library.Name] = provided;
                }
                else if (targetLibc is not null && GlibcVersions.GlibcComponents.Contains(library.Name))
                {
                    problems.Add(new(LibraryProblemKind.MissingGlibcComponent, $"{closure.Path} needs {library.Name}, a part of glibc the target lacks; the donor's copy cannot be mixed with the target's libc"));
                }
                else
                {
                    var realName = library.RealPath[(library.RealPath.LastIndexOf('/') + 1)..];
                    var targetPath = RootfsPathResolver.Combine(libraryDirectory, realName);
                    added[library.Name] = new AddedLibrary(library.Name, library.RealPath, targetPath);
                    entries.Add(FileEntry(request.DonorRoot, library.RealPath, targetPath, origin));
                    if (realName != library.Name)
                    {
                        entries.Add(RootfsEntry.Symlink(RootfsPathResolver.Combine(libraryDirectory, library.Name), realName, origin));
                    }
                }
            }
        }

        // Every file we copy must find the symbol versions it needs in the libraries it will really load.
        var copied = closures.Select(c => (c.Path, c.Elf))
            .Concat(closures.SelectMany(c => c.Libraries).Where(l => added.ContainsKey(l.Name)).DistinctBy(l => l.Name).Select(l => (Path: l.RealPath, l.Elf)));
        foreach (var (path, elf) in copied)
        {
            foreach (var need in elf.VersionNeeds)
            {
                if (added.ContainsKey(need.File) || !reused.TryGetValue(need.File, out var provider))
                {
                    continue;
                }

                var defined = provider.Elf.VersionDefinitions.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var version in need.Versions.Where(v => !defined.Contains(v)))
                {
                    problems.Add(new(LibraryProblemKind.MissingSymbolVersion, VersionProblem(path, need.File, version, provider, targetGlibc, donorGlibc)));
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new LibraryCompatibilityException(CompatibilityMessage(request, problems, targetGlibc, donorGlibc), problems);
        }

        foreach (var closure in closures)
        {
            entries.Add(FileEntry(request.DonorRoot, closure.RealPath, closure.Path, origin, defaultPermissions: 0x1ED));
        }

        if (request.LibraryDirectory is null && targetLibc is null && added.Count > 0)
        {
            notes.Add("the target has no libc.so.6; libraries were placed in /usr/lib");
        }

        var binaries = closures.Select(c => new InjectedBinary(c.Path, c.Path, [.. c.Libraries.Select(l => l.Name)])).ToList();
        var report = new InjectionReport(
            request.PackageName,
            InjectionMode.Closure,
            binaries,
            [.. added.Values],
            [.. reused.Values.Select(r => new ReusedLibrary(r.Name, r.FoundPath))],
            notes);
        return new InjectionPlan(entries, report);
    }

    private static InjectionPlan PlanBundled(InjectionRequest request, LibrarySearch donor, List<LibraryClosure> closures, List<string> notes)
    {
        var bundle = RootfsPathResolver.Combine(RootfsPathResolver.Combine("/", request.BundleRoot), request.PackageName);
        var lib = bundle + "/lib";
        var origin = $"{request.PackageName} bundle";
        var entries = new List<RootfsEntry>();
        var added = new Dictionary<string, AddedLibrary>(StringComparer.Ordinal);
        var binaries = new List<InjectedBinary>();
        var targetLibc = new LibrarySearch(request.Target).Find("libc.so.6", closures[0].Path, closures[0].Elf);
        var problems = new List<LibraryProblem>();
        foreach (var closure in closures)
        {
            CheckArchitecture(closure, targetLibc, problems);
        }

        if (problems.Count > 0)
        {
            throw new LibraryCompatibilityException($"{request.PackageName} cannot run on {request.Target.Description}, not even bundled: {string.Join("; ", problems)}", problems);
        }

        foreach (var closure in closures)
        {
            var interpreter = closure.Elf.Interpreter ?? throw NotDynamic(closure);
            var loaderName = interpreter[(interpreter.LastIndexOf('/') + 1)..];

            // An extracted package set lacks the /lib64 -> usr/lib64 links that usrmerge makes; libc names the loader
            // as DT_NEEDED, so the closure usually holds it already.
            var loaderReal = closure.Libraries.FirstOrDefault(l => l.Name == loaderName)?.RealPath
                ?? RootfsPathResolver.Resolve(request.DonorRoot, interpreter)
                ?? RootfsPathResolver.Resolve(request.DonorRoot, "/usr" + interpreter)
                ?? throw new LibraryResolutionException($"{closure.Path} names the interpreter {interpreter}, which is not in {request.DonorRoot.Description}");
            foreach (var (name, realPath) in closure.Libraries.Select(l => (l.Name, l.RealPath)).Append((loaderName, loaderReal)))
            {
                if (added.TryAdd(name, new AddedLibrary(name, realPath, $"{lib}/{name}")))
                {
                    entries.Add(FileEntry(request.DonorRoot, realPath, $"{lib}/{name}", origin));
                }
            }

            var binaryName = closure.Path[(closure.Path.LastIndexOf('/') + 1)..];
            var bundled = $"{bundle}/bin/{binaryName}";
            entries.Add(FileEntry(request.DonorRoot, closure.RealPath, bundled, origin, defaultPermissions: 0x1ED));

            var donorLibc = closure.Libraries.FirstOrDefault(l => l.Name == "libc.so.6");
            var glibc = donorLibc is null ? null : GlibcVersions.ReleaseOf(request.DonorRoot, donorLibc.RealPath, donorLibc.Elf);
            var argv0 = glibc is not null && glibc >= Argv0Since;
            if (!argv0)
            {
                notes.Add($"the donor's loader (glibc {glibc?.ToString() ?? "unknown"}) has no --argv0 (glibc >= 2.33): {binaryName} sees argv[0] = {bundled}");
            }

            var wrapper = WrapperScript(binaryName, $"{lib}/{loaderName}", lib, bundled, argv0);
            entries.Add(RootfsEntry.File(closure.Path, BytesContent.FromText(wrapper, $"wrapper for {bundled}"), 0x1ED, origin));
            binaries.Add(new InjectedBinary(closure.Path, closure.Path, [.. closure.Libraries.Select(l => l.Name)]));
        }

        if (RootfsPathResolver.Resolve(request.Target, "/bin/sh") is null)
        {
            notes.Add("the target has no /bin/sh for the wrapper scripts");
        }

        notes.Add("the donor's glibc must support the target's kernel; libraries loaded with dlopen (NSS, gconv) are not bundled");
        return new InjectionPlan(entries, new InjectionReport(request.PackageName, InjectionMode.Bundled, binaries, [.. added.Values], [], notes));
    }

    /// <summary>The wrapper at the binary's usual path: it starts the bundled binary through the bundled loader.</summary>
    internal static string WrapperScript(string name, string loader, string libraryPath, string binary, bool argv0) =>
        "#!/bin/sh\n" +
        $"# {name}, injected by Boot2IsoKit in bundled-loader mode: it runs with its own glibc from {libraryPath}.\n" +
        $"exec {loader} --inhibit-cache --library-path {libraryPath}{(argv0 ? " --argv0 \"$0\"" : "")} {binary} \"$@\"\n";

    private static LibraryCompatibilityException NotDynamic(LibraryClosure closure)
    {
        var problem = new LibraryProblem(
            LibraryProblemKind.NotDynamicExecutable,
            $"{closure.Path} has no program interpreter (static or a library): inject it as a plain file, bundled mode is for dynamic executables");
        return new LibraryCompatibilityException(problem.Text, [problem]);
    }

    private static void CheckArchitecture(LibraryClosure closure, ResolvedLibrary? targetLibc, List<LibraryProblem> problems)
    {
        if (targetLibc is null)
        {
            return;
        }

        var target = targetLibc.Elf;
        if (target.Machine != closure.Elf.Machine || target.Class != closure.Elf.Class)
        {
            problems.Add(new(LibraryProblemKind.WrongArchitecture, $"{closure.Path} is {closure.Elf.ArchitectureDescription} but the target's libc ({targetLibc.FoundPath}) is {target.ArchitectureDescription}: wrong architecture"));
        }
    }

    private static void CheckInterpreter(LibraryClosure closure, ITargetRootfs target, List<LibraryProblem> problems, List<RootfsEntry> entries, List<string> notes, string origin)
    {
        var interpreter = closure.Elf.Interpreter;
        if (interpreter is null || RootfsPathResolver.Resolve(target, interpreter) is not null)
        {
            return;
        }

        // Tiny Core keeps its loader in /lib and has no /lib64; boot2docker links lib64 -> lib for Debian-built binaries.
        var name = interpreter[(interpreter.LastIndexOf('/') + 1)..];
        if (interpreter == "/lib64/" + name && !target.Exists("/lib64") && RootfsPathResolver.Resolve(target, "/lib/" + name) is not null)
        {
            if (!entries.Any(e => e.Path == "lib64"))
            {
                entries.Add(RootfsEntry.Symlink("lib64", "lib", origin));
                notes.Add($"the target has /lib/{name} but no /lib64: added the symlink lib64 -> lib, as boot2docker does");
            }

            return;
        }

        problems.Add(new(LibraryProblemKind.MissingInterpreter, $"{closure.Path} needs the interpreter {interpreter}, which the target does not have"));
    }

    private static string VersionProblem(string path, string library, string version, ResolvedLibrary provider, string targetGlibc, string donorGlibc)
    {
        var text = new StringBuilder($"{path} needs {version} from {library}, which the target's {provider.FoundPath} does not define");
        if (version.StartsWith("GLIBC_", StringComparison.Ordinal))
        {
            text.Append($" (target glibc {targetGlibc}, donor glibc {donorGlibc})");
        }
        else if (GlibcVersions.Highest(provider.Elf.VersionDefinitions.Select(d => d.Name), version[..(version.IndexOf('_') + 1)]) is { } highest)
        {
            text.Append($" (it defines up to {version[..(version.IndexOf('_') + 1)]}{highest})");
        }

        return text.ToString();
    }

    private static string Release(ITargetRootfs rootfs, ResolvedLibrary? libc) =>
        libc is null ? "unknown" : GlibcVersions.ReleaseOf(rootfs, libc.RealPath, libc.Elf)?.ToString() ?? "unknown";

    private static string CompatibilityMessage(InjectionRequest request, List<LibraryProblem> problems, string targetGlibc, string donorGlibc)
    {
        var text = new StringBuilder();
        text.Append($"{request.PackageName} from {request.DonorRoot.Description} (glibc {donorGlibc}) cannot use the libraries of {request.Target.Description} (glibc {targetGlibc}):");
        foreach (var problem in problems)
        {
            text.Append("\n  - ").Append(problem.Text);
        }

        text.Append("\nWays out: take the package from an older donor suite whose glibc is at most ")
            .Append(targetGlibc)
            .Append(", use a static build of the binary, or use bundled-loader mode (mode: bundled), which ships the donor's libc and loader under ")
            .Append(RootfsPathResolver.Combine(request.BundleRoot, request.PackageName))
            .Append('/');
        return text.ToString();
    }

    private static RootfsEntry FileEntry(DirectoryRootfs donor, string donorPath, string targetPath, string origin, int defaultPermissions = 0x1A4)
    {
        var permissions = donor.Permissions(donorPath) & 0xFFF;
        return RootfsEntry.File(targetPath, new FileContent(donor.HostPath(donorPath)), permissions == 0 ? defaultPermissions : permissions, origin);
    }
}
