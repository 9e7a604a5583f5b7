using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.Planning;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>
/// Renders a <see cref="BuildPlan"/> into a Dockerfile and build context for the boot2docker image of
/// the plan's base version: the derived-image pattern boot2docker's own experimental, test and master
/// ISOs used (boot2docker's Dockerfile.experimental and Dockerfile.master, the Dockerfile.test of its PR #1119,
/// and the pattern in its doc/BUILD.md: FROM the release image, edit $ROOTFS, re-run the ISO script, cat the
/// ISO), with every step commented and the output deterministic (same plan, same bytes).
/// The Dockerfile decides nothing about content: the plan's whole rootfs delta (overlays, engine binaries,
/// injected binaries and their libraries, os-release, motd, version files, all computed on the host)
/// travels in the context and is copied into <c>$ROOTFS</c>; the build has no network.
/// </summary>
internal static partial class DockerfileRenderer
{
    public const string OverlayDirectory = "rootfs-overlay";
    public const string IsoRootDirectory = "iso-root";
    public const string LabelScriptFile = "iso-label.sed";
    public const string ReproducibleScriptFile = "reproducible.sh";

    private const int DirectoryMode = 0x1ED; // 0755
    private const int FileMode = 0x1A4; // 0644
    private const int ExecutableMode = 0x1ED; // 0755
    private const int SpecialModeBits = 0xE00; // setuid, setgid, sticky

    /// <summary>Where COPY puts the delta before it is merged into $ROOTFS; outside every path the ISO scripts pack.</summary>
    private const string DeltaStaging = "/tmp/b2ik-rootfs-delta";

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
            return new DockerBuildContext(target, context.Dockerfile, context.Contract, context.Timestamp, context.IsoScriptStep, context.Entries);
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
        var baseImage = plan.Base is BuildBase.Image image
            ? image.Reference
            : throw new InvalidInputException("build plan", "Base", "the docker builder builds from a base image; this plan names a base ISO");
        Check(ImageReference(), baseImage, "Base", "is not an image reference (name[:tag][@digest])");
        Check(Version(), plan.StampedVersion, "StampedVersion", "may hold only letters, digits and . _ + ~ -");
        var label = plan.Iso.VolumeLabel;
        Check(Label(), label, "VolumeLabel", "may hold only letters, digits and . _ + - (ISO 9660 volume identifier)");
        if (Encoding.ASCII.GetByteCount(label) > 32)
        {
            throw new InvalidInputException("build plan", "VolumeLabel", $"'{label}' is longer than the 32 bytes of an ISO 9660 volume identifier");
        }

        var timestamp = plan.Iso.UnixTime;
        var files = new ContextWriter(directory, timestamp);
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

        RenderDelta(plan.Delta, contract, files, dockerfile);
        RenderRootFiles(plan.Iso.RootFiles, plan.Iso.MediumFiles, contract, files, dockerfile);
        var scriptVersion = RenderScriptVersion(plan, contract, dockerfile);
        var isoScriptStep = RenderIsoScript(plan, contract, scriptVersion, files, dockerfile);

        dockerfile.Block(
            [
                "Without a TTY the container prints the ISO: `docker run --rm IMAGE > boot2docker.iso`.",
                "Restated from the base image so the contract holds even if a base changes its CMD.",
            ],
            $"CMD [\"sh\", \"-c\", \"[ -t 1 ] && exec bash || exec cat {contract.IsoPath}\"]");

        var text = dockerfile.ToString();
        files.WriteText(DockerBuildContext.DockerfileName, text, FileMode);
        return new DockerBuildContext(directory, text, contract, timestamp, isoScriptStep, files.Entries());
    }

    private static void RenderDelta(RootfsOverlay overlay, ImageContract contract, ContextWriter files, DockerfileText dockerfile)
    {
        if (overlay.Count == 0)
        {
            return;
        }

        var special = new List<string>();
        var owners = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var modes = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
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

            // A directory the delta names takes its owner and mode over the base's, as the kernel applies a
            // later initramfs member's; a parent it only implies keeps the base's (tar --no-overwrite-dir below).
            var named = entry.Kind == RootfsEntryKind.Directory && overlay.TryGet(entry.Path, out _);
            if (entry.Kind != RootfsEntryKind.HardLink && (entry.Uid != 0 || entry.Gid != 0 || named))
            {
                Group(owners, string.Create(CultureInfo.InvariantCulture, $"{entry.Uid}:{entry.Gid}"), rootfsPath);
            }

            // COPY chowns every file to root, and chown(2) clears setuid and setgid: those bits are set again after it.
            if (entry.Kind is RootfsEntryKind.File or RootfsEntryKind.Directory && (named || (entry.Permissions & SpecialModeBits) != 0))
            {
                Group(modes, Octal(entry.Permissions), rootfsPath);
            }
        }

        var comments = new List<string>
        {
            "Every file the build adds or replaces, computed on the host (nothing is installed or edited in this",
            "build): overlays, the engine, injected binaries with the libraries they load, os-release, motd and",
            "version files. Modes, symlinks and mtimes come with the files.",
        };
        if (contract.Layout == IsoLayout.Old)
        {
            comments.Add("make_iso.sh regenerates etc/os-release from etc/version, etc/boot2docker and Tiny Core's release.txt;");
            comments.Add("the stamped etc/version makes it say the same version as the copied file.");
        }

        dockerfile.Block([.. comments], $"COPY {OverlayDirectory}/ {DeltaStaging}/");

        comments =
        [
            "Merged into the rootfs with tar, not copied there: COPY would replace a symlink the base has where the",
            "delta has a directory (lib64 -> lib: every dynamically linked program would lose its loader) and give",
            "every directory on the way the context's mode and owner (think /tmp 1777). tar keeps both as in the base,",
            "as the native builder does (needs GNU tar >= 1.27 in the image: Debian jessie on).",
        ];
        var merge = new List<string>
        {
            $"tar -C {DeltaStaging} -cf - . | tar -C \"$ROOTFS\" -xf - --numeric-owner --keep-directory-symlink --no-overwrite-dir",
            $"rm -rf {DeltaStaging}",
        };
        if (special.Count > 0)
        {
            comments.Add("Then the entries a build context cannot carry: hard links and device nodes.");
            merge.AddRange(special);
        }

        if (owners.Count > 0)
        {
            comments.Add("COPY makes everything root's: the owners of the entries that belong to other users, and of the directories the delta names.");
            merge.AddRange(owners.Select(o => $"chown -h {o.Key} {string.Join(' ', o.Value)}"));
        }

        if (modes.Count > 0)
        {
            comments.Add("Last, the modes chown(2) clears (setuid, setgid) and those of the directories the delta names.");
            merge.AddRange(modes.Select(m => $"chmod {m.Key} {string.Join(' ', m.Value)}"));
        }

        dockerfile.Comment([.. comments]);
        dockerfile.Run(merge);
    }

    private static void Group(SortedDictionary<string, List<string>> groups, string key, string path)
    {
        if (!groups.TryGetValue(key, out var paths))
        {
            groups[key] = paths = [];
        }

        paths.Add(path);
    }

    /// <summary>
    /// The plan's files of the ISO file system (the old layout's /version, the images: archives) go where the image's
    /// script packs the ISO from.
    /// </summary>
    private static void RenderRootFiles(IReadOnlyDictionary<string, string> rootFiles, IReadOnlyList<MediumFile> mediumFiles, ImageContract contract, ContextWriter files, DockerfileText dockerfile)
    {
        if (rootFiles.Count == 0 && mediumFiles.Count == 0)
        {
            return;
        }

        var staging = contract.IsoStagingDirectory
            ?? throw new InvalidInputException("build plan", "Iso.RootFiles", $"the {contract.Layout.Name} image's script packs no extra files on the ISO");
        files.Directory(IsoRootDirectory, DirectoryMode);
        foreach (var (path, text) in rootFiles.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            files.WriteText($"{IsoRootDirectory}/{RootfsPath.Normalize(path, "ISO root file")}", text, FileMode);
        }

        foreach (var file in mediumFiles.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            files.CopyContent($"{IsoRootDirectory}/{RootfsPath.Normalize(file.Path, "ISO file")}", file.Content, FileMode);
        }

        var paths = rootFiles.Keys.Concat(mediumFiles.Select(f => f.Path)).Order(StringComparer.Ordinal).Select(p => "/" + p);
        dockerfile.Block(
            [$"Files of the ISO outside the initrd ({string.Join(", ", paths)}): the script packs {staging} as the ISO."],
            $"COPY {IsoRootDirectory}/ {staging}/");
    }

    /// <summary>
    /// The new image's script names the volume "b2d-v$DOCKER_VERSION" (DOCKER_VERSION is read only at build
    /// time, the booted system's version lives in os-release): the value that makes it the plan's label.
    /// The old image's script derives the label from $ROOTFS/etc/version, which the delta stamps.
    /// </summary>
    private static string RenderScriptVersion(BuildPlan plan, ImageContract contract, DockerfileText dockerfile)
    {
        var version = plan.StampedVersion;
        if (contract.Layout == IsoLayout.Old)
        {
            return version;
        }

        var label = plan.Iso.VolumeLabel;
        var prefix = contract.DerivedLabel("");
        var scriptVersion = contract.LabelFollowsVersion && label.StartsWith(prefix, StringComparison.Ordinal) && label.Length > prefix.Length
            ? label[prefix.Length..]
            : version;
        dockerfile.Block(
            [
                $"make-b2d-iso.sh names the volume \"b2d-v$DOCKER_VERSION\"; this value makes it \"{contract.DerivedLabel(scriptVersion)}\".",
                "DOCKER_VERSION is read only at build time: the booted system's version lives in os-release.",
            ],
            $"ENV DOCKER_VERSION={scriptVersion}");
        return scriptVersion;
    }

    /// <summary>Writes the ISO script step; returns its step number (what the engine reports when it fails).</summary>
    private static int RenderIsoScript(BuildPlan plan, ImageContract contract, string scriptVersion, ContextWriter files, DockerfileText dockerfile)
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
        var relabel = derived != plan.Iso.VolumeLabel;
        files.WriteText(ReproducibleScriptFile, ReadScript(ReproducibleScriptFile), FileMode);
        var copies = new List<string> { $"COPY {ReproducibleScriptFile} /tmp/b2ik-{ReproducibleScriptFile}" };
        if (relabel)
        {
            files.WriteText(LabelScriptFile, $"s/-V (\"[^\"]*\"|'[^']*')/-V \"{plan.Iso.VolumeLabel}\"/\n", FileMode);
            copies.Add($"COPY {LabelScriptFile} /tmp/b2ik-{LabelScriptFile}");
        }

        var source = isNew ? "\"$(command -v make-b2d-iso.sh)\"" : contract.IsoScript;
        var comments = new List<string>
        {
            $"Rebuild the initrd (newc cpio, legacy lzma) and the ISO ({contract.IsoPath}) with the image's script,",
            $"run as a copy that starts with {ReproducibleScriptFile}: with SOURCE_DATE_EPOCH={plan.Iso.UnixTime.ToString(CultureInfo.InvariantCulture)} (the plan's date)",
            "the same plan gives the same ISO on any machine and at any time (sorted file list, clamped mtimes,",
            "renumbered inodes; needs cpio >= 2.12 and xorriso >= 1.4.6 in the image: older ones build, not reproducibly).",
        };
        var lines = new List<string>(copies);
        var filter = "";
        if (relabel)
        {
            comments.Add($"The script would label the ISO \"{derived}\"; the recipe wants \"{plan.Iso.VolumeLabel}\", so the copy's");
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
            lines.Add($" && grep -qF -- '-V \"{plan.Iso.VolumeLabel}\"' /tmp/b2ik-make-iso.sh \\");
        }

        lines.Add(" && chmod 0755 /tmp/b2ik-make-iso.sh \\");
        lines.Add(string.Create(CultureInfo.InvariantCulture, $" && SOURCE_DATE_EPOCH={plan.Iso.UnixTime} /tmp/b2ik-make-iso.sh \\"));
        lines.Add($" && rm /tmp/b2ik-make-iso.sh /tmp/b2ik-{ReproducibleScriptFile}{(relabel ? $" /tmp/b2ik-{LabelScriptFile}" : "")}");
        dockerfile.Block([.. comments], [.. lines]);
        return dockerfile.Steps;
    }

    /// <summary>A shell script shipped in the assembly (Docker/Scripts), edited as a file.</summary>
    private static string ReadScript(string name)
    {
        using var stream = typeof(DockerfileRenderer).Assembly.GetManifestResourceStream("Boot2IsoKit.Stages.Docker.Scripts." + name)
            ?? throw new InvalidOperationException($"the assembly lacks its script {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

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

    [GeneratedRegex(@"^[A-Za-z0-9._/+@%=,-]+$")]
    private static partial Regex SafeWord();
}
