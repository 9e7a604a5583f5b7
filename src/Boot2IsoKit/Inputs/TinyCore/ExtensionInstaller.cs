using Boot2IsoKit.Formats.Squashfs;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.TinyCore;

/// <summary>What installing extensions did: which were copied in, which the base already had, which base files were kept.</summary>
/// <param name="AddedBy">Every overlay path an extension put in (its files and its tce.installed record), with that extension.</param>
internal sealed record ExtensionInstallReport(
    IReadOnlyList<string> Installed,
    IReadOnlyList<string> AlreadyInstalled,
    IReadOnlyList<string> KeptBasePaths,
    IReadOnlyList<string> BootScripts,
    IReadOnlyDictionary<string, ResolvedExtension> AddedBy);

/// <summary>
/// Puts extensions into a rootfs overlay the way <c>tce-load -ic</c> (copy mode) leaves the file system
/// (Core-scripts' usr/bin/tce-load: copyInstall and update_system):
/// <list type="bullet">
/// <item>every file of the image is copied to the same path under / with its mode, owner and time
/// (<c>cp -ai</c> answered "n": a file the base or an earlier extension already has is kept, not replaced);</item>
/// <item>an extension whose /usr/local/tce.installed/NAME the base already has is "already installed" and skipped;</item>
/// <item>the extension is recorded in /usr/local/tce.installed/NAME: its own script there when it ships an
/// executable one, else an empty file, so a later tce-load in the VM sees it installed;</item>
/// <item>each executable tce.installed script runs at boot as Tiny Core runs the scripts of extensions it
/// loads while booting: tce-load -b lists them in /tmp/setup.lst, and tce-setup (started by tc-config)
/// runs every line of that file as root, in load order, after ldconfig. The overlay carries that
/// /tmp/setup.lst. Legacy boot2docker (≤ 18.06) runs every tce.installed file from /etc/rc.d/tce-loader
/// instead; when the base has that script no setup.lst is written, so nothing runs twice.</item>
/// </list>
/// Kernel modules (usr/local/lib/modules) are copied but depmod is not arranged: -KERNEL extensions are not
/// resolved, boot2docker has its own kernel.
/// </summary>
internal sealed class ExtensionInstaller : IDisposable
{
    public const string InstalledDirectory = "usr/local/tce.installed";
    public const string SetupList = "tmp/setup.lst";
    public const string LegacyLoader = "etc/rc.d/tce-loader";

    private readonly List<(ResolvedExtension Extension, SquashfsImage Image)> _images = [];

    private ExtensionInstaller()
    {
    }

    /// <summary>Opens (and so fully checks) every extension image; keep the installer open until the overlay is written.</summary>
    public static ExtensionInstaller Open(IReadOnlyList<ResolvedExtension> extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        var installer = new ExtensionInstaller();
        try
        {
            foreach (var extension in extensions)
            {
                installer._images.Add((extension, SquashfsImage.Open(extension.Path)));
            }

            return installer;
        }
        catch
        {
            installer.Dispose();
            throw;
        }
    }

    /// <param name="overlay">Receives the entries; paths it holds before the call count as the base's.</param>
    /// <param name="baseHasPath">Whether the base rootfs has a path (rootfs-relative, normalized).</param>
    /// <param name="timestamp">Time of the files tce-load would create (markers, setup.lst).</param>
    public ExtensionInstallReport AddTo(RootfsOverlay overlay, Func<string, bool> baseHasPath, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(baseHasPath);
        var installed = new List<string>();
        var already = new List<string>();
        var kept = new List<string>();
        var scripts = new List<string>();
        var addedBy = new Dictionary<string, ResolvedExtension>(StringComparer.Ordinal);
        bool Exists(string path) => overlay.TryGet(path, out _) || baseHasPath(path);

        foreach (var (extension, image) in _images)
        {
            var marker = $"{InstalledDirectory}/{extension.AppName}";
            if (baseHasPath(marker) || installed.Contains(extension.Name))
            {
                already.Add(extension.Name);
                continue;
            }

            var origin = $"extension {extension.Name}";
            var entries = image.ToRootfsEntries(origin);
            var byPath = entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
            var skipped = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (entry.Kind != RootfsEntryKind.Directory && Exists(entry.Path))
                {
                    kept.Add(entry.Path);
                    skipped.Add(entry.Path);
                    continue;
                }

                addedBy[entry.Path] = extension;
                // A second name whose first name was kept from the base becomes a copy of the bytes, as cp makes it.
                overlay.Add(entry.Kind == RootfsEntryKind.HardLink && skipped.Contains(entry.LinkTarget!)
                    ? entry with { Kind = RootfsEntryKind.File, Content = byPath[entry.LinkTarget!].Content, LinkTarget = null }
                    : entry);
            }

            if (byPath.TryGetValue(marker, out var script) && script.Kind == RootfsEntryKind.File && (script.Permissions & 0x49) != 0 && !skipped.Contains(marker))
            {
                scripts.Add("/" + marker);
            }
            else if (!overlay.TryGet(marker, out _))
            {
                overlay.Add(RootfsEntry.File(marker, new BytesContent(ReadOnlyMemory<byte>.Empty, marker), origin: origin) with { ModificationTime = timestamp });
                addedBy[marker] = extension;
            }

            installed.Add(extension.Name);
        }

        if (scripts.Count > 0 && !baseHasPath(LegacyLoader))
        {
            // Named so the overlay does not supply /tmp as a plain 0755 parent: the unpacker would apply that mode to the base's /tmp.
            if (!overlay.TryGet("tmp", out _))
            {
                overlay.Add(RootfsEntry.Directory("tmp", 0x3FF /* 1777 */, "tinycore extensions") with { ModificationTime = timestamp });
            }

            overlay.Add(RootfsEntry.File(SetupList, BytesContent.FromText(string.Concat(scripts.Select(s => s + "\n")), SetupList), origin: "tinycore extensions")
                with
            { ModificationTime = timestamp });
        }

        return new ExtensionInstallReport(installed, already, kept, scripts, addedBy);
    }

    public void Dispose()
    {
        foreach (var (_, image) in _images)
        {
            image.Dispose();
        }

        _images.Clear();
    }
}
