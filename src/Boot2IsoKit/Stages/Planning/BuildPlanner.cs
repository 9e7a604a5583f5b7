using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Certificates;
using Boot2IsoKit.Stages.DaemonSettings;
using Boot2IsoKit.Stages.Images;
using Boot2IsoKit.Stages.Injection;
using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// The Resolve, Fetch and Overlay stages: turns a recipe (with the command line already applied, by
/// <c>RecipeOverrides</c> in Stages/Pipeline) into a complete <see cref="BuildPlan"/>. It finds the base and the
/// engine through <see cref="IInputResolver"/>, unpacks the engine, injects binaries with their
/// libraries (checked against the base rootfs when there is one), stamps the version and banner, and
/// decides the label and the one timestamp every written file gets. It reads no command line and no
/// environment: what it needs comes through its constructor.
/// </summary>
internal sealed class BuildPlanner(IInputResolver inputs, IDebianSource debian, PlannerSettings settings, IBaseImageFiles? imageFiles = null)
{
    /// <summary>Plans <paramref name="recipe"/> for <paramref name="builder"/>; the caller disposes the plan.</summary>
    /// <exception cref="MissingInputsException">Offline, with every missing input (base and engine) in one list.</exception>
    public async Task<BuildPlan> PlanAsync(Recipe recipe, BuilderKind builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        // The docker builder starts from the base image; a base ISO is only read when one is given, to
        // check injected binaries against its rootfs (without it they are bundled with their own loader).
        var needsBaseIso = builder == BuilderKind.Native || recipe.Base.Iso is not null;
        var (baseIsoPath, fetched) = await ResolveInputsAsync(recipe, needsBaseIso, cancellationToken).ConfigureAwait(false);

        // Reading the base (decoding its whole initrd on a first build, seconds on one core) needs nothing else: the
        // engine is unpacked and the Debian indexes load meanwhile.
        debian.StartLoadingIndexes(recipe.DebianMirror, MirrorSuites(recipe), cancellationToken);
        var unpacking = fetched is null ? Task.FromResult<EngineTarball?>(null)
            : UnpackEngineAsync(fetched.Tgz, cancellationToken);
        BaseIso? baseIso;
        try
        {
            baseIso = baseIsoPath is null ? null : inputs.OpenBase(baseIsoPath);
        }
        catch
        {
            // The engine is being unpacked into the scratch the caller removes: let it finish first.
            await unpacking.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        var held = new List<IDisposable>(); // inputs the plan keeps open (Tiny Core images), closed with it
        try
        {
            var tarball = await unpacking.ConfigureAwait(false);
            var plan = await PlanWithInputsAsync(recipe, builder, baseIso, fetched, tarball, held, cancellationToken).ConfigureAwait(false);
            if (plan.Base is not BuildBase.IsoFile)
            {
                baseIso?.Dispose(); // read for the injection check only
            }

            return plan;
        }
        catch
        {
            baseIso?.Dispose();
            held.ForEach(h => h.Dispose());
            throw;
        }
    }

    /// <summary>Both inputs, so that offline every missing one is named in one error, with how to get it.</summary>
    private async Task<(string? BaseIso, FetchedEngine? Engine)> ResolveInputsAsync(Recipe recipe, bool needsBaseIso, CancellationToken cancellationToken)
    {
        var missing = new List<MissingInput>();
        string? cacheRoot = null;
        FetchedEngine? engine = null;
        string? baseIso = null;
        try
        {
            engine = recipe.Engine is { } spec ? await inputs.EngineAsync(spec, recipe.SourcePath, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (MissingInputsException e)
        {
            missing.AddRange(e.Missing);
            cacheRoot = e.CacheRoot;
        }

        try
        {
            baseIso = needsBaseIso ? await inputs.BaseIsoAsync(recipe.Base, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (MissingInputsException e)
        {
            missing.AddRange(e.Missing);
            cacheRoot = e.CacheRoot;
        }

        return missing.Count > 0 ? throw new MissingInputsException(cacheRoot!, missing) : (baseIso, engine);
    }

    /// <summary>The suites the recipe takes from the Debian mirror: its packages' (not local ones) and the engine's libraries'.</summary>
    private static IEnumerable<string?> MirrorSuites(Recipe recipe) =>
        recipe.Packages.Where(p => p.Deb is not null && p.From is null).Select(p => p.Suite)
            .Concat(recipe.Engine?.Libraries is { } libraries ? [libraries.Suite] : []);

    /// <summary>The engine read once: its binaries, and the newest date it carries for the build's timestamp.</summary>
    private async Task<EngineTarball?> UnpackEngineAsync(string tgz, CancellationToken cancellationToken) =>
        await EngineTarball.ExtractAsync(tgz, Path.Combine(settings.Scratch, "engine"), settings.SourceDateEpoch ?? 0, cancellationToken).ConfigureAwait(false);

    private async Task<BuildPlan> PlanWithInputsAsync(Recipe recipe, BuilderKind builder, BaseIso? baseIso, FetchedEngine? fetched, EngineTarball? tarball, List<IDisposable> held, CancellationToken cancellationToken)
    {
        var layout = baseIso?.Layout ?? Boot2DockerVersion.Parse(recipe.Base.Release).Layout;
        var baseOsRelease = baseIso?.Contents.OsRelease.GetValueOrDefault("VERSION");
        var baseVersion = recipe.Base.Version ?? baseOsRelease ?? "unknown";
        var stampedVersion = recipe.Engine?.Version ?? baseOsRelease ?? baseVersion;
        var timestamp = settings.SourceDateEpoch ?? NewestInputDate(baseIso, tarball?.NewestEntryTime);
        BuildBase buildBase = builder == BuilderKind.Native
            ? new BuildBase.IsoFile(baseIso ?? throw new InvalidOperationException("the native builder plans with a base ISO"))
            : new BuildBase.Image(recipe.Base.ImageReference ?? $"{recipe.Base.Image}:{baseVersion}");

        // Later additions of a path replace earlier ones, as later initramfs members do: overlays, then
        // injected binaries, then Tiny Core extensions (which, like tce-load, keep files already there),
        // then the engine, then the certificates and daemon settings, then the version files the build itself writes.
        var delta = new RootfsOverlay();
        var ledger = new MaterialLedger();
        foreach (var directory in recipe.Overlays)
        {
            var overlay = new BuildMaterial.Overlay(FromRepository(directory));
            OverlayDirectory.AddTo(delta, overlay.Directory, timestamp);
            ledger.Add(overlay);
            ledger.Record(delta, _ => overlay);
        }

        var injected = new List<string>();
        foreach (var package in recipe.Packages)
        {
            var (injection, owners) = await InjectAsync(recipe, package, baseIso, ledger, cancellationToken).ConfigureAwait(false);
            settings.Log.Info(injection.Report.ToString().TrimEnd());
            injected.AddRange(injection.Report.Binaries.Select(b => b.InstalledAt));
            foreach (var entry in injection.Entries)
            {
                delta.Add(entry with { ModificationTime = timestamp });
            }

            ledger.Record(delta, owners);
        }

        if (recipe.Extensions.Count > 0)
        {
            // The installer's images are read when the overlay is written: the plan holds them open until it is disposed.
            var (installer, extensions) = await Boot2IsoKit.Inputs.TinyCore.TinyCoreExtensions.AddToAsync(
                delta, recipe, baseIso is null ? null : baseIso.ReadRootfsText, path => baseIso?.Contents.Exists(path) ?? false,
                (names, major, ct) => inputs.ExtensionsAsync(names, major, recipe.TinyCoreMirror, ct), FromRepository, timestamp, cancellationToken).ConfigureAwait(false);
            held.Add(installer);
            settings.Log.Info($"Tiny Core extensions installed: {string.Join(", ", extensions.Installed)}; already in the base: {string.Join(", ", extensions.AlreadyInstalled)}");
            var byExtension = extensions.AddedBy.Values.Distinct().ToDictionary(e => e, e => new BuildMaterial.Extension(e));
            foreach (var material in byExtension.Values)
            {
                ledger.Add(material);
            }

            ledger.Record(delta, entry => extensions.AddedBy.TryGetValue(entry.Path, out var by) ? byExtension[by] : null);
        }

        EngineInput? engine = null;
        BuildMaterial.Engine? engineMaterial = null;
        if (fetched is not null && tarball is not null)
        {
            tarball.AddTo(delta, timestamp);
            engineMaterial = new BuildMaterial.Engine();
            ledger.Add(engineMaterial);
            ledger.Record(delta, _ => engineMaterial);
            // A dynamically linked engine's libraries, checked against the base like injected packages.
            var libraries = await EngineLibraryPlanner.PlanAsync(recipe, tarball, recipe.Engine!.Version, baseIso, debian, settings, cancellationToken).ConfigureAwait(false);
            foreach (var entry in libraries.Entries)
            {
                delta.Add(entry with { ModificationTime = timestamp });
            }

            foreach (var package in libraries.Packages)
            {
                ledger.Add(new BuildMaterial.DebianPackage(package));
            }

            ledger.Record(delta, MaterialLedger.FromDonor(libraries.DonorRoot, libraries.Packages, engineMaterial));
            engine = new EngineInput(recipe.Engine!.Version, fetched.Tgz, fetched.Url, fetched.Sha256, tarball.BinaryNames, fetched.Channel);
        }

        // The closed-network settings: the certificates the system trusts, the engine's dockerd behind the daemon settings.
        foreach (var entry in TrustedCertificates.Entries(recipe.Certificates, layout, recipe.SourcePath, FromRepository, DateTimeOffset.UtcNow, recipe.AllowExpiredCertificates, settings.Log.Warning, timestamp))
        {
            delta.Add(entry);
        }

        if (recipe.Daemon.Count > 0 || recipe.Images.Count > 0)
        {
            var line = recipe.Daemon.Count > 0 ? recipe.Daemon[0].Line : recipe.Images[0].Line;
            settings.Log.Info(DockerdWrapper.AddTo(delta, recipe.Daemon, recipe.Engine?.Version ?? baseVersion, recipe.SourcePath, line, timestamp));
            // The engine's own dockerd, moved behind the settings script, is still the engine's file.
            ledger.Record(delta, entry => entry.Path == RootfsPath.Normalize(DockerdWrapper.EnginePath) ? engineMaterial : null);
        }

        // The images ride on the ISO's file system; the loader the dockerd script starts finds them by the volume label.
        var volumeLabel = recipe.VolumeId ?? VolumeLabel.For(recipe.Label, stampedVersion);
        IReadOnlyList<MediumFile> mediumFiles = [];
        if (recipe.Images.Count > 0)
        {
            var archives = await ImagePlanner.ResolveAsync(
                recipe.Images,
                FromRepository,
                (spec, ct) => inputs.PullImageAsync(spec, recipe.Registries, recipe.SourcePath, Path.Combine(settings.Scratch, "images"), DateTimeOffset.FromUnixTimeSeconds(timestamp), ct),
                recipe.SourcePath,
                cancellationToken).ConfigureAwait(false);
            mediumFiles = BakedImages.AddTo(delta, archives, volumeLabel, timestamp);
            foreach (var archive in archives)
            {
                ledger.Add(new BuildMaterial.Image(archive));
            }

            settings.Log.Info($"images: {string.Join(", ", archives.SelectMany(a => a.Images).Select(i => i.RepoTags.Count > 0 ? string.Join(" ", i.RepoTags) : i.ImageId))} on the ISO under /{BakedImages.MediumDirectory}, loaded into dockerd once after its first start");
        }

        var (osRelease, motd) = await BaseTextAsync(baseIso, buildBase, cancellationToken).ConfigureAwait(false);
        foreach (var entry in VersionStamp.Entries(osRelease, motd, layout, stampedVersion, recipe.Motd, timestamp))
        {
            delta.Add(entry);
        }

        ledger.Record(delta, _ => null);
        return new BuildPlan
        {
            RecipeName = recipe.Name,
            Base = buildBase,
            BaseVersion = baseVersion,
            Delta = delta,
            Iso = IsoMetadata.For(layout, volumeLabel, stampedVersion, DateTimeOffset.FromUnixTimeSeconds(timestamp)) with { MediumFiles = mediumFiles },
            StampedVersion = stampedVersion,
            Engine = engine,
            InitrdMode = recipe.Initrd,
            MergeCompression = recipe.MergeCompression,
            OutputPath = FromRepository(recipe.Output ?? $"artifacts/boot2docker-{recipe.Name}.iso"),
            InjectedBinaries = injected,
            Materials = ledger.Complete(delta),
            Held = held,
        };
    }

    /// <summary>The base's os-release and motd: from the base ISO's initrd, else from the base image.</summary>
    private async Task<(string? OsRelease, string? Motd)> BaseTextAsync(BaseIso? baseIso, BuildBase buildBase, CancellationToken cancellationToken)
    {
        if (baseIso is not null)
        {
            return (baseIso.ReadRootfsText("etc/os-release"), baseIso.ReadRootfsText("etc/motd"));
        }

        var image = ((BuildBase.Image)buildBase).Reference;
        var files = imageFiles ?? throw new InvalidOperationException("a docker build without a base ISO reads the base image's files: give the planner an IBaseImageFiles");
        return (
            await files.ReadTextAsync(image, "etc/os-release", cancellationToken).ConfigureAwait(false),
            await files.ReadTextAsync(image, "etc/motd", cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The injection of one recipe package, and who owns each entry it adds (the .deb that unpacked it, or the host binary).</summary>
    private async Task<(InjectionPlan Plan, Func<RootfsEntry, BuildMaterial?> Owners)> InjectAsync(Recipe recipe, PackageSpec package, BaseIso? target, MaterialLedger ledger, CancellationToken cancellationToken)
    {
        ITargetRootfs targetRootfs = target is null
            ? new DirectoryRootfs(Directory.CreateDirectory(Path.Combine(settings.Scratch, "empty-target")).FullName)
            : new InitrdRootfs(target.Contents, $"base initrd of {Path.GetFileName(target.Path)}");
        // Without the base rootfs (docker builder without a base ISO) nothing can be checked: bundle everything.
        var mode = target is null ? InjectionMode.Bundled : package.Mode;
        if (package.Host is { } hostBinary)
        {
            var host = new BuildMaterial.HostBinary(hostBinary);
            ledger.Add(host);
            return (LibraryInjector.Plan(new InjectionRequest
            {
                DonorRoot = new DirectoryRootfs("/"),
                Binaries = [hostBinary],
                Target = targetRootfs,
                Mode = mode,
                PackageName = Path.GetFileName(hostBinary),
            }), _ => host);
        }

        var name = package.Deb!;
        var donor = Directory.CreateDirectory(Path.Combine(settings.Scratch, "donor-" + name)).FullName;
        var extracted = await debian.ExtractAsync(
            new DebianRequest([name], package.Suite, package.From is { } from ? FromRepository(from) : null, recipe.DebianMirror, $"{recipe.SourcePath}: line {package.Line}", donor),
            cancellationToken).ConfigureAwait(false);
        foreach (var deb in extracted)
        {
            ledger.Add(new BuildMaterial.DebianPackage(deb));
        }

        // A wrapper or link of the injection belongs to the package the recipe names.
        var requested = extracted.FirstOrDefault(d => d.Package.Name == name) is { } named ? new BuildMaterial.DebianPackage(named) : null;
        return (LibraryInjector.Plan(new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donor),
            Binaries = package.Binaries.Count > 0 ? [.. package.Binaries.Select(b => MergedUsrAware(donor, b))] : DefaultBinaries(donor),
            Target = targetRootfs,
            Mode = mode,
            PackageName = name,
        }), MaterialLedger.FromDonor(donor, extracted, requested));
    }

    private string FromRepository(string path) => Path.GetFullPath(path, settings.RepositoryRoot);

    /// <summary>
    /// Debian moved /bin and /sbin under /usr (trixie ships /usr/sbin/ipvsadm, bullseye /sbin/ipvsadm);
    /// extracted packages lack the /sbin -> usr/sbin link, so a recipe's path is tried both ways.
    /// </summary>
    private static string MergedUsrAware(string donor, string binary)
    {
        if (File.Exists(Path.Combine(donor, binary.TrimStart('/'))))
        {
            return binary;
        }

        var other = binary.StartsWith("/usr/", StringComparison.Ordinal) ? binary["/usr".Length..] : "/usr" + binary;
        return File.Exists(Path.Combine(donor, other.TrimStart('/'))) ? other : binary;
    }

    private static readonly string[] BinaryDirectories = ["bin", "sbin", "usr/bin", "usr/sbin"];

    /// <summary>Every executable under the package's bin and sbin directories.</summary>
    private static IReadOnlyList<string> DefaultBinaries(string donor) =>
        [.. BinaryDirectories
            .Select(d => Path.Combine(donor, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d))
            .Where(f => new FileInfo(f).LinkTarget is null)
            .Select(f => "/" + Path.GetRelativePath(donor, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// Without a source date: the newest date the inputs themselves carry (the base ISO's volume date,
    /// the newest entry of the engine tgz), never a file-system time, so the same inputs give the same
    /// ISO on any machine.
    /// </summary>
    private static long NewestInputDate(BaseIso? baseIso, DateTimeOffset? engineNewestEntry)
    {
        var newest = baseIso?.Image.ModificationTime ?? baseIso?.Image.CreationTime ?? DateTimeOffset.UnixEpoch;
        if (engineNewestEntry is { } entryTime && entryTime > newest)
        {
            newest = entryTime;
        }

        return newest.ToUnixTimeSeconds();
    }
}

/// <summary>What the planner needs from where it runs.</summary>
/// <param name="RepositoryRoot">Recipe paths (overlays, from:, output) are relative to it.</param>
/// <param name="Scratch">A private work directory (unpacked engine, donor roots) that outlives the build and is removed by its owner.</param>
/// <param name="SourceDateEpoch">SOURCE_DATE_EPOCH as read once by the caller, or null: the newest input date is used.</param>
internal sealed record PlannerSettings(string RepositoryRoot, string Scratch, long? SourceDateEpoch, PipelineLog Log);
