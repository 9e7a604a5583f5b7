using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Boot2IsoKit.Errors;
using Boot2IsoKit.Layouts;
using Boot2IsoKit.Planning;
using Boot2IsoKit.Rootfs;

namespace Boot2IsoKit.Docker;

/// <summary>
/// Renders a <see cref="BuildPlan"/> into a Dockerfile and build context for the boot2docker image of
/// the plan's base version: the derived-image pattern boot2docker's own experimental, test and master
/// ISOs used (boot2docker's Dockerfile.experimental and Dockerfile.master, the Dockerfile.test of its PR #1119,
/// and the pattern in its doc/BUILD.md: FROM the release image, edit $ROOTFS, re-run the ISO script, cat the
/// ISO), with every step commented and the output deterministic (same plan, same bytes). The container
/// build has no network unless the engine is a URL, so nothing is installed inside it: overlay files
/// (including injected binaries and their libraries, computed on the host) travel in the context.
/// </summary>
public static partial class DockerfileRenderer
{
    public const string OverlayDirectory = "rootfs-overlay";
    public const string EngineDirectory = "engine";
    public const string MotdBannerFile = "motd-banner";
    public const string LabelScriptFile = "iso-label.sed";
    public const string ReproducibleScriptFile = "reproducible.sh";

    private const int DirectoryMode = 0x1ED; // 0755
    private const int FileMode = 0x1A4; // 0644
    private const int ExecutableMode = 0x1ED; // 0755

    /// <summary>
    /// Writes the context into <paramref name="contextDirectory"/> (replacing what was there: the directory
    /// belongs to the renderer) and returns it. The directory appears complete or not at all.
    /// </summary>
    public static DockerBuildContext Render(BuildPlan plan, string contextDirectory)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrEmpty(contextDirectory);
        var target = Path.GetFullPath(contextDirectory);
        var staging = target.TrimEnd(Path.DirectorySeparatorChar) + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var context = RenderInto(plan, staging);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(staging, target);
            return new DockerBuildContext(target, context.Dockerfile, context.Contract, context.NeedsNetwork, context.Timestamp, context.Entries);
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }

    private static DockerBuildContext RenderInto(BuildPlan plan, string directory)
    {
        var contract = ImageContract.ForRelease(plan.BaseVersion);
        var baseImage = Require(plan.BaseImage, "BaseImage", "the docker builder needs a base image (--base-image=NAME)");
        Check(ImageReference(), baseImage, "BaseImage", "is not an image reference (name[:tag][@digest])");
        Check(Version(), plan.StampedVersion, "StampedVersion", "may hold only letters, digits and . _ + ~ -");
        Check(Label(), plan.VolumeLabel, "VolumeLabel", "may hold only letters, digits and . _ + - (ISO 9660 volume identifier)");
        if (Encoding.ASCII.GetByteCount(plan.VolumeLabel) > 32)
        {
            throw new InvalidInputException("build plan", "VolumeLabel", $"'{plan.VolumeLabel}' is longer than the 32 bytes of an ISO 9660 volume identifier");
        }

        var files = new ContextWriter(directory, plan.Timestamp);
        var dockerfile = new DockerfileText();
        var isNew = contract.Layout == IsoLayout.New;

        dockerfile.Comment(
            $"Boot2IsoKit recipe \"{OneLine(plan.RecipeName)}\": boot2docker {plan.BaseVersion} ({contract.Layout.Name} image layout), rendered by DockerfileRenderer.",
            "The base image already holds a built ISO. Like boot2docker's own experimental and test ISOs, this",
            $"image changes the rootfs the ISO is made from ({ImageContract.RootfsDirectory}) and runs the image's ISO script again.",
            "By hand: docker build -t b2ik-iso . && docker run --rm --network none b2ik-iso > boot2docker.iso");
        dockerfile.Instruction($"FROM {baseImage}");

        if (isNew)
        {
            dockerfile.Block(
                [
                    "The new image builds in WORKDIR /rootfs and defines no $ROOTFS:",
                    "name it, so every step below says where it writes, as in the old layout.",
                ],
                "ENV ROOTFS=/rootfs");
        }

        var needsNetwork = false;
        if (plan.Engine is { } engine)
        {
            needsNetwork = RenderEngine(engine, files, dockerfile);
        }

        RenderOverlay(plan.Overlay, files, dockerfile);

        if (plan.MotdBanner is { Length: > 0 } banner)
        {
            files.WriteText(MotdBannerFile, banner, FileMode);
            dockerfile.Block(
                ["Banner appended to the base's motd, from a context file: its text needs no shell quoting."],
                $"COPY {MotdBannerFile} /tmp/b2ik-motd-banner",
                "RUN cat /tmp/b2ik-motd-banner >> \"$ROOTFS/etc/motd\" && rm /tmp/b2ik-motd-banner");
        }

        var scriptVersion = RenderVersion(plan, contract, dockerfile);
        RenderIsoScript(plan, contract, scriptVersion, files, dockerfile);

        dockerfile.Block(
            [
                "Without a TTY the container prints the ISO: `docker run --rm IMAGE > boot2docker.iso`.",
                "Restated from the base image so the contract holds even if a base changes its CMD.",
            ],
            $"CMD [\"sh\", \"-c\", \"[ -t 1 ] && exec bash || exec cat {contract.IsoPath}\"]");

        var text = dockerfile.ToString();
        files.WriteText(DockerBuildContext.DockerfileName, text, FileMode);
        return new DockerBuildContext(directory, text, contract, needsNetwork, plan.Timestamp, files.Entries());
    }

    /// <summary>Puts the engine binaries into $ROOTFS/usr/local/bin; returns true when the build has to download.</summary>
    private static bool RenderEngine(EngineInput engine, ContextWriter files, DockerfileText dockerfile)
    {
        Check(Version(), engine.Version, "Engine.Version", "may hold only letters, digits and . _ + ~ -");
        var source = engine.LocalTgz ?? engine.Url?.AbsolutePath
            ?? throw new InvalidInputException("build plan", "Engine", "names neither a local tgz nor a URL");
        var tarball = source.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase);
        var download = tarball ? "/tmp/dockerbin.tgz" : "/tmp/dockerbin";
        var needsNetwork = false;
        var steps = new List<string>();

        if (engine.LocalTgz is { } local)
        {
            if (!File.Exists(local))
            {
                throw new InvalidInputException(local, "engine", "the engine file does not exist");
            }

            var name = $"{EngineDirectory}/docker-{engine.Version}{(tarball ? ".tgz" : "")}";
            files.CopyFile(name, local, FileMode);
            dockerfile.Block(
                [$"Docker engine {engine.Version}, from the build context (the build needs no network)."],
                $"COPY {name} {download}");
        }
        else
        {
            var url = engine.Url!;
            if (url.Scheme is not ("https" or "http") || url.AbsoluteUri.IndexOfAny(['\'', '"', ' ', '\\', '$', '`']) >= 0)
            {
                throw new InvalidInputException("build plan", "Engine.Url", $"'{url}' is not a plain http(s) URL");
            }

            needsNetwork = true;
            var comments = new List<string>
            {
                $"Docker engine {engine.Version}, downloaded during the build. This needs network access in the build",
                "and curl in the base image (boot2docker's images have it; a stand-in must too).",
            };
            steps.Add($"curl -fsSL -o {download} '{url.AbsoluteUri}'");
            if (engine.Sha256 is { } sha)
            {
                Check(Sha256(), sha, "Engine.Sha256", "is not 64 hexadecimal digits");
                comments.Add("The checksum is pinned by the recipe: a changed or cut-off download fails the build.");
                steps.Add($"echo '{sha.ToLowerInvariant()}  {download}' | sha256sum -c -");
            }
            else
            {
                comments.Add("No pinned checksum: check against the .sha256 published beside the engine (guards against");
                comments.Add("a cut-off download, not against a changed release; pin sha256 in the recipe for that).");
                steps.Add($"echo \"$(curl -fsSL '{url.AbsoluteUri}.sha256' | cut -d ' ' -f 1)  {download}\" | sha256sum -c -");
            }

            dockerfile.Comment([.. comments]);
        }

        if (tarball)
        {
            var strip = StripComponents(engine.Version);
            dockerfile.Comment(strip == 1
                ? "Since 1.11 the tgz holds docker/<binaries>: drop that directory (--strip-components=1)."
                : "Up to 1.10 the tgz held usr/local/bin/docker: drop the three directories (--strip-components=3).");
            steps.Add($"tar -xzf {download} -C \"$ROOTFS/usr/local/bin\" --strip-components={strip}");
        }
        else
        {
            dockerfile.Comment("Up to 1.10 the engine was a single binary: it is the docker command itself.");
            steps.Add($"mv {download} \"$ROOTFS/usr/local/bin/docker\"");
            steps.Add("chmod 0755 \"$ROOTFS/usr/local/bin/docker\"");
        }

        if (tarball)
        {
            steps.Add($"rm {download}");
        }

        dockerfile.Comment("The engine is never run at build time (a downloaded binary); only check that it landed.");
        steps.Add("test -x \"$ROOTFS/usr/local/bin/docker\"");
        dockerfile.Run(steps);
        return needsNetwork;
    }

    /// <summary>
    /// The engine tgz's extraction per era: up to 1.10 it held usr/local/bin/docker (<c>--strip-components=3</c>, minikube's
    /// deploy/iso/Dockerfile); from 1.11 docker/&lt;binaries&gt; (<c>--strip-components=1</c>, boot2docker's Dockerfile).
    /// </summary>
    internal static int StripComponents(string engineVersion)
    {
        var parts = engineVersion.TrimStart('v').Split('.', '-');
        var major = int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : int.MaxValue;
        var minor = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return major < 1 || (major == 1 && minor <= 10) ? 3 : 1;
    }

    private static void RenderOverlay(RootfsOverlay overlay, ContextWriter files, DockerfileText dockerfile)
    {
        if (overlay.Count == 0)
        {
            return;
        }

        var special = new List<string>();
        var owners = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        files.Directory(OverlayDirectory, DirectoryMode);
        foreach (var entry in overlay.EntriesWithParents())
        {
            var contextPath = OverlayDirectory + "/" + entry.Path;
            var rootfsPath = "\"$ROOTFS\"/" + ShellWord(entry.Path);
            switch (entry.Kind)
            {
                case RootfsEntryKind.Directory:
                    files.Directory(contextPath, entry.Permissions);
                    break;
                case RootfsEntryKind.File:
                    files.CopyContent(contextPath, entry.Content ?? throw new InvalidInputException("rootfs overlay", entry.Path, "a file without content"), entry.Permissions);
                    break;
                case RootfsEntryKind.Symlink:
                    files.Symlink(contextPath, entry.LinkTarget ?? throw new InvalidInputException("rootfs overlay", entry.Path, "a symlink without a target"));
                    break;
                case RootfsEntryKind.HardLink:
                    var target = RootfsPath.Normalize(entry.LinkTarget ?? "", "rootfs overlay hard link target");
                    special.Add($"ln -f \"$ROOTFS\"/{ShellWord(target)} {rootfsPath}");
                    break;
                case RootfsEntryKind.CharacterDevice or RootfsEntryKind.BlockDevice:
                    var type = entry.Kind == RootfsEntryKind.CharacterDevice ? 'c' : 'b';
                    special.Add($"mknod -m {Octal(entry.Permissions)} {rootfsPath} {type} {entry.DeviceMajor} {entry.DeviceMinor}");
                    break;
                case RootfsEntryKind.Fifo:
                    special.Add($"mknod -m {Octal(entry.Permissions)} {rootfsPath} p");
                    break;
                default:
                    throw new InvalidInputException("rootfs overlay", entry.Path, "a socket cannot be put into an image");
            }

            if (entry.Kind != RootfsEntryKind.HardLink && (entry.Uid != 0 || entry.Gid != 0))
            {
                var owner = string.Create(CultureInfo.InvariantCulture, $"{entry.Uid}:{entry.Gid}");
                if (!owners.TryGetValue(owner, out var paths))
                {
                    owners[owner] = paths = [];
                }

                paths.Add(rootfsPath);
            }
        }

        dockerfile.Block(
            [
                "Files the recipe adds: overlays and injected binaries with the libraries they load (computed on",
                "the host; nothing is installed in this build). Modes, symlinks and mtimes come with the files.",
            ],
            $"COPY {OverlayDirectory}/ {ImageContract.RootfsDirectory}/");

        if (special.Count > 0)
        {
            dockerfile.Comment("Entries a build context cannot carry: hard links and device nodes.");
            dockerfile.Run(special);
        }

        if (owners.Count > 0)
        {
            dockerfile.Comment("COPY makes everything root's; these entries belong to other users.");
            dockerfile.Run([.. owners.Select(o => $"chown -h {o.Key} {string.Join(' ', o.Value)}")]);
        }
    }

    /// <summary>Stamps the version the layout's way; returns the version the ISO script will derive its label from.</summary>
    private static string RenderVersion(BuildPlan plan, ImageContract contract, DockerfileText dockerfile)
    {
        var version = plan.StampedVersion;
        if (contract.Layout == IsoLayout.Old)
        {
            dockerfile.Block(
                [
                    $"Version {version}: make_iso.sh derives the volume label and regenerates os-release",
                    "from $ROOTFS/etc/version; the ISO root carries a copy in /version.",
                ],
                $"RUN printf '%s\\n' '{version}' > \"$ROOTFS/etc/version\" \\",
                " && cp \"$ROOTFS/etc/version\" /tmp/iso/version");
            return version;
        }

        // The new image's DOCKER_VERSION only names the ISO ("b2d-v$DOCKER_VERSION"): steer it to the plan's label.
        var prefix = contract.DerivedLabel("");
        var scriptVersion = contract.LabelFollowsVersion && plan.VolumeLabel.StartsWith(prefix, StringComparison.Ordinal) && plan.VolumeLabel.Length > prefix.Length
            ? plan.VolumeLabel[prefix.Length..]
            : version;
        dockerfile.Block(
            [
                $"make-b2d-iso.sh names the volume \"b2d-v$DOCKER_VERSION\"; this value makes it \"{contract.DerivedLabel(scriptVersion)}\".",
                "DOCKER_VERSION is read only at build time: the booted system's version lives in os-release.",
            ],
            $"ENV DOCKER_VERSION={scriptVersion}");
        dockerfile.Block(
            [
                $"os-release says {version}. The new image wrote it once at build time and its ISO script does not",
                "rewrite it, so we do: VERSION, VERSION_ID and the version in PRETTY_NAME; ID=boot2docker stays",
                "(docker-machine recognises boot2docker by it).",
            ],
            "RUN sed -i -E \\",
            $"      -e 's/^VERSION=.*/VERSION={version}/' \\",
            $"      -e 's/^VERSION_ID=.*/VERSION_ID={version}/' \\",
            $"      -e 's/^PRETTY_NAME=\"Boot2Docker [^ \"]*/PRETTY_NAME=\"Boot2Docker {version}/' \\",
            "      \"$ROOTFS/etc/os-release\" \\",
            $" && grep -qx 'VERSION={version}' \"$ROOTFS/etc/os-release\" \\",
            " && grep -qx 'ID=boot2docker' \"$ROOTFS/etc/os-release\"");
        return scriptVersion;
    }

    private static void RenderIsoScript(BuildPlan plan, ImageContract contract, string scriptVersion, ContextWriter files, DockerfileText dockerfile)
    {
        var isNew = contract.Layout == IsoLayout.New;
        var derived = contract.DerivedLabel(scriptVersion);
        if (isNew)
        {
            dockerfile.Block(["make-b2d-iso.sh packs the current directory: the rootfs."], "WORKDIR /rootfs");
        }

        // The image's own script runs as a copy: our reproducibility functions go right after its first
        // line, and when the script would write another label, its xorriso -V argument is replaced.
        // Both layouts pass the label to xorriso as one quoted -V argument, so one sed rule fits both.
        var relabel = derived != plan.VolumeLabel;
        files.WriteText(ReproducibleScriptFile, ReadScript(ReproducibleScriptFile), FileMode);
        var copies = new List<string> { $"COPY {ReproducibleScriptFile} /tmp/b2ik-{ReproducibleScriptFile}" };
        if (relabel)
        {
            files.WriteText(LabelScriptFile, $"s/-V (\"[^\"]*\"|'[^']*')/-V \"{plan.VolumeLabel}\"/\n", FileMode);
            copies.Add($"COPY {LabelScriptFile} /tmp/b2ik-{LabelScriptFile}");
        }

        var source = isNew ? "\"$(command -v make-b2d-iso.sh)\"" : contract.IsoScript;
        var comments = new List<string>
        {
            $"Rebuild the initrd (newc cpio, legacy lzma) and the ISO ({contract.IsoPath}) with the image's script,",
            $"run as a copy that starts with {ReproducibleScriptFile}: with SOURCE_DATE_EPOCH={plan.Timestamp.ToString(CultureInfo.InvariantCulture)} (the plan's date)",
            "the same plan gives the same ISO on any machine and at any time (sorted file list, clamped mtimes,",
            "renumbered inodes; needs cpio >= 2.12 and xorriso >= 1.4.6 in the image: older ones build, not reproducibly).",
        };
        var lines = new List<string>(copies);
        var filter = "";
        if (relabel)
        {
            comments.Add($"The script would label the ISO \"{derived}\"; the recipe wants \"{plan.VolumeLabel}\", so the copy's");
            comments.Add($"xorriso -V argument is replaced ({LabelScriptFile}); grep fails the build if the script has no such argument.");
            filter = $" | sed -E -f /tmp/b2ik-{LabelScriptFile}";
        }
        else
        {
            comments.Add($"The script's own label is the plan's: {derived}.");
        }

        lines.Add($"RUN {{ head -n 1 {source} && cat /tmp/b2ik-{ReproducibleScriptFile} && tail -n +2 {source}{filter}; }} > /tmp/b2ik-make-iso.sh \\");
        if (relabel)
        {
            lines.Add($" && grep -qF -- '-V \"{plan.VolumeLabel}\"' /tmp/b2ik-make-iso.sh \\");
        }

        lines.Add(" && chmod 0755 /tmp/b2ik-make-iso.sh \\");
        lines.Add(string.Create(CultureInfo.InvariantCulture, $" && SOURCE_DATE_EPOCH={plan.Timestamp} /tmp/b2ik-make-iso.sh \\"));
        lines.Add($" && rm /tmp/b2ik-make-iso.sh /tmp/b2ik-{ReproducibleScriptFile}{(relabel ? $" /tmp/b2ik-{LabelScriptFile}" : "")}");
        dockerfile.Block([.. comments], [.. lines]);
    }

    /// <summary>A shell script shipped in the assembly (Docker/Scripts), edited as a file.</summary>
    private static string ReadScript(string name)
    {
        using var stream = typeof(DockerfileRenderer).Assembly.GetManifestResourceStream("Boot2IsoKit.Docker.Scripts." + name)
            ?? throw new InvalidOperationException($"the assembly lacks its script {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Require(string? value, string field, string problem) =>
        string.IsNullOrWhiteSpace(value) ? throw new InvalidInputException("build plan", field, problem) : value;

    private static void Check(Regex pattern, string value, string field, string problem)
    {
        if (!pattern.IsMatch(value))
        {
            throw new InvalidInputException("build plan", field, $"'{value}' {problem}");
        }
    }

    /// <summary>A path as one shell word: bare when it has only safe characters, else single-quoted.</summary>
    internal static string ShellWord(string text) =>
        SafeWord().IsMatch(text) ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Octal(int mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")]
    private static partial Regex ImageReference();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+~-]*$")]
    private static partial Regex Version();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]*$")]
    private static partial Regex Label();

    [GeneratedRegex(@"^[0-9A-Fa-f]{64}$")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"^[A-Za-z0-9._/+@%=,-]+$")]
    private static partial Regex SafeWord();
}
