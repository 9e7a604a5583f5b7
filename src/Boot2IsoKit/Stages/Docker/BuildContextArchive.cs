using System.Formats.Tar;
using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>
/// The build context as the tar the engine's /build endpoint takes. Deterministic: entries in the
/// context's order, owner root, every mtime the plan's timestamp, modes from the context listing.
/// </summary>
internal static class BuildContextArchive
{
    public static async Task WriteAsync(DockerBuildContext context, Stream output, CancellationToken cancellationToken)
    {
        var mtime = DateTimeOffset.FromUnixTimeSeconds(context.Timestamp);
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var entry in context.Entries)
            {
                var name = entry.Kind == RootfsEntryKind.Directory ? entry.Path + "/" : entry.Path;
                var type = entry.Kind switch
                {
                    RootfsEntryKind.Directory => TarEntryType.Directory,
                    RootfsEntryKind.Symlink => TarEntryType.SymbolicLink,
                    _ => TarEntryType.RegularFile,
                };

                // Only mtime among the pax times: atime/ctime would make every archive differ.
                var tar = new PaxTarEntry(type, name, [new KeyValuePair<string, string>("mtime", context.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture))])
                {
                    Mode = (UnixFileMode)(entry.Mode & 0xFFF),
                    ModificationTime = mtime,
                    Uid = 0,
                    Gid = 0,
                };
                if (entry.LinkTarget is { } target)
                {
                    tar.LinkName = target;
                }

                if (entry.Kind == RootfsEntryKind.File)
                {
                    var file = new FileStream(Path.Combine(context.Directory, entry.Path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                    await using (file.ConfigureAwait(false))
                    {
                        tar.DataStream = file;
                        await writer.WriteEntryAsync(tar, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    await writer.WriteEntryAsync(tar, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
