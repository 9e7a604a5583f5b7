using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.Images;

/// <summary>
/// The recipe's <c>images:</c> in the ISO: each archive as a file of the ISO's own file system under
/// <see cref="MediumDirectory"/> (not in the initrd: the initrd is unpacked into RAM at boot, images can be
/// gigabytes), and in the rootfs the loader (Scripts/load-images) with what it needs to find them: the volume label,
/// the set's ID and the archives' names. The script in front of dockerd (Stages/DaemonSettings) starts the loader.
/// </summary>
internal static class BakedImages
{
    /// <summary>Where the archives are on the ISO.</summary>
    public const string MediumDirectory = "b2ik/images";

    public const string LoaderPath = "usr/local/lib/b2ik/load-images";

    public const string SettingsDirectory = "usr/local/etc/b2ik/images";

    /// <summary>Adds the loader and its settings to <paramref name="delta"/>; returns the files the ISO carries.</summary>
    public static IReadOnlyList<MediumFile> AddTo(RootfsOverlay delta, IReadOnlyList<ImageArchive> archives, string volumeLabel, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(archives);
        ArgumentNullException.ThrowIfNull(volumeLabel);
        var set = SetId(archives);
        var names = archives.Select((a, i) => FileName(a, i)).ToList();
        var files = new List<MediumFile>();
        for (var i = 0; i < archives.Count; i++)
        {
            files.Add(new MediumFile($"{MediumDirectory}/{names[i]}", new FileContent(archives[i].Path)));
        }

        files.Add(new MediumFile($"{MediumDirectory}/SET", BytesContent.FromText(set + "\n", $"/{MediumDirectory}/SET")));

        // The loader compares the label without its padding spaces (it reads the 32 bytes of the descriptor).
        Add(delta, "label", volumeLabel.Replace(" ", "", StringComparison.Ordinal) + "\n", 0x1A4, timestamp);
        Add(delta, "set", set + "\n", 0x1A4, timestamp);
        Add(delta, "archives", string.Concat(names.Select(n => n + "\n")), 0x1A4, timestamp);
        delta.Add(RootfsEntry.File(LoaderPath, BytesContent.FromText(Script(), "/" + LoaderPath), 0x1ED, "images:") with { ModificationTime = timestamp });
        return files;
    }

    /// <summary>Names the set of archives: another ISO's medium, or another build's, is never taken for this one.</summary>
    public static string SetId(IReadOnlyList<ImageArchive> archives)
    {
        ArgumentNullException.ThrowIfNull(archives);
        var text = string.Concat(archives.Select(a => a.Sha256 + "\n"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>"01-tiny-1.tar": the order of the recipe, then a name a human recognises, in characters every file system takes.</summary>
    private static string FileName(ImageArchive archive, int index)
    {
        var name = archive.Images.SelectMany(i => i.RepoTags).FirstOrDefault() is { } tag
            ? tag[(tag.LastIndexOf('/') + 1)..]
            : Path.GetFileNameWithoutExtension(archive.Spec.Archive ?? archive.Spec.Reference ?? "image");
        var safe = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-')]).Trim('-', '.');
        return string.Create(CultureInfo.InvariantCulture, $"{index + 1:00}-{(safe.Length == 0 ? "image" : safe[..Math.Min(safe.Length, 40)])}.tar");
    }

    private static void Add(RootfsOverlay delta, string name, string text, int mode, long timestamp) =>
        delta.Add(RootfsEntry.File($"{SettingsDirectory}/{name}", BytesContent.FromText(text, $"/{SettingsDirectory}/{name}"), mode, "images:") with { ModificationTime = timestamp });

    private static string Script()
    {
        using var stream = typeof(BakedImages).Assembly.GetManifestResourceStream("Boot2IsoKit.Stages.Images.Scripts.load-images")
            ?? throw new InvalidOperationException("the library has no embedded Stages/Images/Scripts/load-images");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
