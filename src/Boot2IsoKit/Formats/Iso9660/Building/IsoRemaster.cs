using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Iso9660.Building;

/// <summary>
/// Turns an opened image into a builder that would write the same image again: every node with its
/// attributes (file bytes read lazily from the base), the volume identifiers, the El Torito setup and
/// the isohybrid MBR code (bytes 0..431 of the base's sector 0). The base must stay open until Build.
/// </summary>
internal static class IsoRemaster
{
    /// <param name="image">The base, open until the builder has built.</param>
    /// <param name="timestamp">
    /// The builder's <see cref="IsoBuilder.Timestamp"/>; by default the base's own modification (else creation) date, so a
    /// remaster of the same base with the same changes stays bit-identical, and the Unix epoch for a base with neither.
    /// </param>
    public static IsoBuilder ToBuilder(IsoImage image, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var builder = new IsoBuilder
        {
            Timestamp = timestamp ?? image.ModificationTime ?? image.CreationTime ?? DateTimeOffset.UnixEpoch,
            VolumeId = Printable(image.VolumeId, IsoBuilder.MaxVolumeIdBytes, "CDROM"),
            SystemId = Printable(image.SystemId, 32, ""),
            ApplicationId = Printable(image.ApplicationId, 128, ""),
            PublisherId = Printable(image.PublisherId, 128, ""),
            DataPreparerId = Printable(image.DataPreparerId, 128, ""),
            UseRockRidge = true,
            UseJoliet = image.HasJoliet,
        };
        var catalogPath = image.ElTorito?.CatalogPath;
        builder.SetRootAttributes(image.Root.Permissions, image.Root.Uid, image.Root.Gid, image.Root.ModificationTime);
        foreach (var node in image.Root.Descendants().Skip(1))
        {
            if (node.Path == catalogPath)
            {
                continue; // rewritten by the builder from the El Torito settings
            }

            var time = node.ModificationTime;
            switch (node.Kind)
            {
                case IsoNodeKind.Directory:
                    builder.AddDirectory(node.Path, node.Permissions, node.Uid, node.Gid, time);
                    break;
                case IsoNodeKind.File:
                    var source = node;
                    builder.AddFile(node.Path, new DelegateContent(node.Size, $"{image.Name}!{node.Path}", () => image.OpenFile(source)), node.Permissions, node.Uid, node.Gid, time);
                    break;
                case IsoNodeKind.Symlink when !string.IsNullOrEmpty(node.SymlinkTarget):
                    builder.AddSymlink(node.Path, node.SymlinkTarget, node.Permissions, node.Uid, node.Gid, time);
                    break;
                case IsoNodeKind.Symlink:
                    break; // a link without a target cannot be written back
                default:
                    builder.AddSpecial(node.Path, node.Kind, node.Permissions, node.DeviceNumber ?? 0, node.Uid, node.Gid, time);
                    break;
            }
        }

        if (image.ElTorito is { BootImage: { } bootImage } boot)
        {
            builder.ElToritoBoot = new ElToritoBootOptions(bootImage.Path)
            {
                CatalogPath = catalogPath,
                LoadSize = boot.LoadSize,
                PatchBootInfoTable = image.BootInfoTable is not null,
                Platform = boot.Platform,
                Media = boot.Media,
                LoadSegment = boot.LoadSegment,
            };
            if (image.SystemArea.IsHybrid)
            {
                builder.SystemAreaTemplate = image.SystemArea.Bytes[..432];
            }
        }

        return builder;
    }

    private static string Printable(string value, int max, string fallback)
    {
        var cleaned = new string([.. value.Where(c => c is >= ' ' and <= '~')]);
        cleaned = cleaned[..Math.Min(cleaned.Length, max)];
        return cleaned.Length == 0 ? fallback : cleaned;
    }
}
