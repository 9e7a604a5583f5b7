using System.Globalization;
using System.Text;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Stages.Inspection;

/// <summary>
/// The Inspect target: what an ISO is (label and what docker-machine reads from it, layout, os-release,
/// engine binaries, boot setup, initrd members) and, given a base, which rootfs paths it changed.
/// </summary>
internal static class IsoInspector
{
    private static readonly string[] OsReleaseKeys = ["ID", "VERSION", "PRETTY_NAME"];

    /// <param name="indexCache">Listings of initrds read before: an ISO built here from a known base is listed without decoding the base again.</param>
    public static string Describe(string isoPath, string? comparePath = null, BaseIndexCache? indexCache = null)
    {
        using var iso = BaseIso.Open(isoPath, indexCache);
        var text = new StringBuilder();
        void Line(string key, string value) => text.AppendLine(CultureInfo.InvariantCulture, $"{key,-12}{value}");

        Line("iso", $"{isoPath} ({new FileInfo(isoPath).Length / 1048576.0:0.0} MiB)");
        Line("label", $"{iso.Image.VolumeId} -> docker-machine reads {(VolumeLabel.TryParseVersion(iso.Image.VolumeId, out var version, out var problem) ? version : $"nothing ({problem}): it would re-download")}");
        Line("application", iso.Image.ApplicationId);
        Line("layout", $"{iso.Layout.Name} (kernel /{iso.Layout.KernelPath}, config /{iso.Layout.IsolinuxConfigPath})");
        var osRelease = iso.Contents.OsRelease;
        Line("os-release", string.Join(' ', OsReleaseKeys.Where(osRelease.ContainsKey).Select(k => $"{k}={osRelease[k]}")));
        var engine = iso.Contents.Entries.Where(e => e.Path.StartsWith("usr/local/bin/", StringComparison.Ordinal) && e.Header.Kind == RootfsEntryKind.File).ToList();
        Line("engine", engine.Count == 0 ? "(no binaries in /usr/local/bin)" : string.Join(' ', engine.Select(e => $"{e.Path["usr/local/bin/".Length..]}({e.Header.FileSize / 1048576.0:0.0}M)")));
        Line("glibc", iso.Contents.GlibcVersion ?? "unknown");
        if (iso.Image.ElTorito is { } boot)
        {
            Line("boot", $"El Torito platform {boot.Platform}, image /{boot.BootImage?.Path.TrimStart('/')}, load size {boot.LoadSize}, catalog {boot.CatalogPath ?? "(hidden)"}, boot-info-table {(iso.Image.BootInfoTable?.Verifies == true ? "verifies" : "missing or wrong")}");
        }
        else
        {
            Line("boot", "no El Torito boot record: not bootable from CD");
        }

        Line("hybrid", iso.Image.SystemArea.IsHybrid ? "isohybrid MBR (boots from a USB disk too)" : "no hybrid MBR");
        foreach (var member in iso.Contents.Members)
        {
            Line(member.Index == 0 ? "initrd" : "", $"member {member.Index}: {member.Compression.ToString().ToLowerInvariant()} at {member.Offset}, {member.CompressedLength} bytes, {member.EntryCount} entries");
        }

        if (comparePath is not null)
        {
            using var baseIso = BaseIso.Open(comparePath, indexCache);
            var changes = Compare(baseIso.Contents, iso.Contents);
            Line("compared", $"with {comparePath}: {changes.Count} rootfs paths added or changed, label {baseIso.Image.VolumeId} -> {iso.Image.VolumeId}");
            foreach (var change in changes)
            {
                Line("", change);
            }
        }

        return text.ToString();
    }

    /// <summary>Rootfs paths added ('+') or changed ('~': kind, size, mode, owner or link target) against a base.</summary>
    public static IReadOnlyList<string> Compare(InitrdContents baseContents, InitrdContents contents)
    {
        ArgumentNullException.ThrowIfNull(baseContents);
        ArgumentNullException.ThrowIfNull(contents);
        var changes = new List<string>();
        foreach (var entry in contents.Entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            var before = baseContents.Find(entry.Path);
            if (before is null)
            {
                changes.Add($"+ /{entry.Path}");
            }
            else if (before.Header.Mode != entry.Header.Mode || before.Header.FileSize != entry.Header.FileSize
                     || before.Header.Uid != entry.Header.Uid || before.Header.Gid != entry.Header.Gid
                     || before.SymlinkTarget != entry.SymlinkTarget || before.MemberIndex != entry.MemberIndex)
            {
                changes.Add($"~ /{entry.Path}");
            }
        }

        return changes;
    }
}
