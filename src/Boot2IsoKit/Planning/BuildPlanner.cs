using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Boot2IsoKit.Debian;
using Boot2IsoKit.Engines;
using Boot2IsoKit.Errors;
using Boot2IsoKit.InputCache;
using Boot2IsoKit.IO;
using Boot2IsoKit.Libraries;
using Boot2IsoKit.MachineCache;
using Boot2IsoKit.Pipeline;
using Boot2IsoKit.Recipes;
using Boot2IsoKit.Releases;
using Boot2IsoKit.Remaster;
using Boot2IsoKit.Rootfs;

namespace Boot2IsoKit.Planning;

/// <summary>
/// The Resolve and Fetch stages: turns a recipe and the command line into a <see cref="BuildPlan"/>.
/// It finds the base ISO and the engine (local files, the input cache, or a download), assembles the
/// overlay (overlay folders, injected binaries with their libraries, checked against the base), and
/// decides the label, the version and the one timestamp every written file gets.
/// </summary>
public sealed partial class BuildPlanner(PipelineContext context)
{
    /// <summary>Finds (fetching if allowed) the base ISO the recipe names.</summary>
    public async Task<string> ResolveBaseIsoAsync(Recipe recipe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (context.Arguments.BaseIso is { } argument)
        {
            return ExistingFile(context.FromCommandLine(argument), "--base-iso");
        }

        if (recipe.Base.Iso is { } iso)
        {
            return ExistingFile(context.FromRepository(iso), $"{recipe.SourcePath}: base.iso");
        }

        if (context.Arguments.Offline)
        {
            var cached = context.Cache.Entries.LastOrDefault(e => e.Kind == InputKinds.BaseIso && e.Version == recipe.Base.Release && e.Name == recipe.Base.Asset && File.Exists(e.Path))
                ?? throw new MissingInputsException(context.Cache.Root, [new MissingInput(InputKinds.BaseIso, recipe.Base.Release, new Uri($"https://github.com/{recipe.Base.Repository}/releases/download/{recipe.Base.Release}/{recipe.Base.Asset}"), null)]);
            return cached.Path;
        }

        var releases = new Boot2DockerReleases(Boot2DockerReleaseOptions.FromEnvironment(recipe.Base.Repository));
        var release = await releases.ResolveAsync(recipe.Base.Release, cancellationToken: cancellationToken).ConfigureAwait(false);
        var input = await context.Cache.GetAsync(release.IsoInput(recipe.Base.Asset), cancellationToken).ConfigureAwait(false);
        return input.Path;
    }

    /// <summary>The engine tgz to pin and its version, or null when the recipe keeps the base's engine.</summary>
    public async Task<EngineInput?> ResolveEngineAsync(Recipe recipe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var arguments = context.Arguments;
        var tgz = arguments.EngineTgz is { } argumentTgz
            ? ExistingFile(context.FromCommandLine(argumentTgz), "--engine-tgz")
            : recipe.Engine?.Tgz is { } recipeTgz ? ExistingFile(context.FromRepository(recipeTgz), $"{recipe.SourcePath}: engine.tgz") : null;
        var version = arguments.EngineVersion ?? (tgz is not null && arguments.EngineTgz is not null ? VersionFromFileName(tgz) : null) ?? recipe.Engine?.Version;
        if (tgz is not null)
        {
            return new EngineInput(
                version ?? throw new InvalidInputException(tgz, "file name", "the engine version cannot be told from this file name: add --engine-version=X.Y.Z"),
                tgz,
                null,
                null);
        }

        if (version is null)
        {
            return null;
        }

        var engineVersion = EngineVersion.Parse(version);
        var download = arguments.EngineUrl is { } url
            ? EngineDownload.FromUrl(engineVersion, new Uri(url))
            : recipe.Engine?.Url is { } recipeUrl
                ? EngineDownload.FromUrl(engineVersion, new Uri(recipeUrl))
                : EngineDownload.Resolve(
                    engineVersion,
                    EngineSources.FromSettings(recipe.Engine?.Sources ?? new Dictionary<string, string>(), recipe.SourcePath).OverriddenBy(EngineSources.FromEnvironment()),
                    ChannelOf(recipe.Engine?.Channel));
        var fetched = await download.FetchAsync(context.Cache, recipe.Engine?.Sha256, cancellationToken).ConfigureAwait(false);
        return new EngineInput(version, fetched.Path, download.Url, fetched.Sha256);
    }

    /// <summary>Builds the plan; <paramref name="target"/> is the base rootfs injected binaries are checked against (null: bundle them).</summary>
    public async Task<BuildPlan> PlanAsync(Recipe recipe, string? baseIsoPath, BaseIso? target, EngineInput? engine, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var arguments = context.Arguments;
        var layout = target?.Layout ?? Layouts.IsoLayout.ForRelease(recipe.Base.Release);
        var baseVersion = recipe.Base.Release.Length > 0 ? recipe.Base.Release.TrimStart('v') : target?.Contents.OsRelease.GetValueOrDefault("VERSION") ?? "unknown";
        var stampedVersion = engine?.Version ?? target?.Contents.OsRelease.GetValueOrDefault("VERSION") ?? baseVersion;
        var timestamp = Timestamp(target, engine);

        var overlay = new RootfsOverlay();
        foreach (var directory in recipe.Overlays)
        {
            OverlayDirectory.AddTo(overlay, context.FromRepository(directory), timestamp);
        }

        var injected = new List<string>();
        foreach (var package in recipe.Packages)
        {
            var plan = await InjectAsync(recipe, package, target, cancellationToken).ConfigureAwait(false);
            context.Log.Info(plan.Report.ToString().TrimEnd());
            injected.AddRange(plan.Report.Binaries.Select(b => b.InstalledAt));
            foreach (var entry in plan.Entries)
            {
                overlay.Add(entry with { ModificationTime = timestamp });
            }
        }

        if (engine?.LocalTgz is not null)
        {
            // A dynamically linked engine's libraries, checked against the base like injected packages.
            foreach (var entry in await new EngineLibraryPlanner(context).PlanAsync(recipe, engine, target, cancellationToken).ConfigureAwait(false))
            {
                overlay.Add(entry with { ModificationTime = timestamp });
            }
        }

        var label = recipe.VolumeId ?? VolumeLabel.For(arguments.Label ?? recipe.Label, stampedVersion);
        return new BuildPlan
        {
            RecipeName = recipe.Name,
            Layout = layout,
            BaseVersion = baseVersion,
            BaseIsoPath = baseIsoPath,
            BaseImage = arguments.BaseImage ?? $"{recipe.Base.Image}:{baseVersion}",
            Engine = engine,
            Overlay = overlay,
            MotdBanner = recipe.Motd,
            VolumeLabel = label,
            StampedVersion = stampedVersion,
            InitrdMode = arguments.Initrd ?? recipe.Initrd,
            OutputPath = arguments.Output is { } output
                ? context.FromCommandLine(output)
                : context.FromRepository(recipe.Output ?? $"artifacts/boot2docker-{recipe.Name}.iso"),
            Timestamp = timestamp,
            InjectedBinaries = injected,
        };
    }

    private async Task<InjectionPlan> InjectAsync(Recipe recipe, PackageSpec package, BaseIso? target, CancellationToken cancellationToken)
    {
        ITargetRootfs targetRootfs = target is null
            ? new DirectoryRootfs(Directory.CreateDirectory(Path.Combine(context.Scratch, "empty-target")).FullName)
            : new InitrdRootfs(target.Contents, $"base initrd of {Path.GetFileName(target.Path)}");
        // Without the base rootfs (docker builder without --base-iso) nothing can be checked: bundle everything.
        var mode = target is null ? InjectionMode.Bundled : package.Mode;
        if (package.Host is { } hostBinary)
        {
            return LibraryInjector.Plan(new InjectionRequest
            {
                DonorRoot = new DirectoryRootfs("/"),
                Binaries = [hostBinary],
                Target = targetRootfs,
                Mode = mode,
                PackageName = Path.GetFileName(hostBinary),
            });
        }

        var name = package.Deb!;
        var donor = Path.Combine(context.Scratch, "donor-" + name);
        Directory.CreateDirectory(donor);
        var repository = new DebianRepository(
            DebianMirror.FromConfiguration(recipe.DebianMirror) ?? throw new Boot2IsoKitException($"{recipe.SourcePath}: package '{name}' needs a Debian mirror: set debian.mirror in the recipe, {DebianMirror.EnvironmentVariable}, or run on a host with apt configured"),
            context.DebianCacheDirectory,
            context.Downloader);
        var index = package.From is { } local
            ? PackagesIndex.FromLocal(context.FromRepository(local))
            : await repository.LoadIndexAsync(package.Suite ?? "bookworm", cancellationToken: cancellationToken).ConfigureAwait(false);
        var resolved = index.Resolve([name]);
        foreach (var warning in resolved.Warnings)
        {
            context.Log.Warning($"{name}: {warning}");
        }

        await repository.ExtractAllAsync(resolved.Packages, donor, cancellationToken: cancellationToken).ConfigureAwait(false);
        var binaries = package.Binaries.Count > 0 ? [.. package.Binaries.Select(b => MergedUsrAware(donor, b))] : DefaultBinaries(donor);
        return LibraryInjector.Plan(new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donor),
            Binaries = binaries,
            Target = targetRootfs,
            Mode = mode,
            PackageName = name,
        });
    }

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
    /// SOURCE_DATE_EPOCH when set; else the newest date the inputs themselves carry (the base ISO's
    /// volume date, the newest entry of the engine tgz), never a file-system time, so the same inputs
    /// give the same ISO on any machine.
    /// </summary>
    private static long Timestamp(BaseIso? target, EngineInput? engine)
    {
        if (long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var epoch))
        {
            return epoch;
        }

        var newest = target?.Image.ModificationTime ?? target?.Image.CreationTime ?? DateTimeOffset.UnixEpoch;
        if (engine?.LocalTgz is { } tgz && NewestTarEntry(tgz) is { } entryTime && entryTime > newest)
        {
            newest = entryTime;
        }

        return newest.ToUnixTimeSeconds();
    }

    private static DateTimeOffset? NewestTarEntry(string tgz)
    {
        try
        {
            using var file = File.OpenRead(tgz);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var limited = new TarMetadataLimitStream(gzip);
            using var reader = new TarReader(limited);
            DateTimeOffset? newest = null;
            while (reader.GetNextEntry() is { } entry)
            {
                if (newest is null || entry.ModificationTime > newest)
                {
                    newest = entry.ModificationTime;
                }
            }

            return newest;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or OverflowException or ArgumentException)
        {
            return null; // A raw single binary (≤ 1.10) or a broken tgz: the engine reader reports the latter.
        }
    }

    private static string? VersionFromFileName(string path) =>
        EngineFileName().Match(Path.GetFileName(path)) is { Success: true } match ? match.Groups[1].Value : null;

    private static EngineChannel? ChannelOf(string? channel) => channel switch
    {
        null => null,
        "stable" => EngineChannel.Stable,
        "test" => EngineChannel.Test,
        "experimental" => EngineChannel.Experimental,
        "nightly" => EngineChannel.Nightly,
        "edge" => EngineChannel.Edge,
        "master" => EngineChannel.Master,
        _ => throw new InvalidInputException("recipe", "engine.channel", $"unknown channel '{channel}'"),
    };

    private static string ExistingFile(string path, string what) =>
        File.Exists(path) ? path : throw new InvalidInputException(what, path, "no such file");

    [GeneratedRegex(@"^docker-(\d+\.\d+\.\d+(?:-[A-Za-z0-9.]+)*)\.tgz$")]
    private static partial Regex EngineFileName();
}
