using System.Formats.Tar;
using System.Text;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>
/// docker-machine's boot2docker data disk (MakeDiskImage in libmachine/mcnutils/b2d.go): a blank disk
/// whose first bytes are a tar holding, first, an entry named by the magic string (so the ISO's
/// autoformat script formats the disk and keeps the first 4 KiB as userdata.tar), then
/// .ssh/authorized_keys (and authorized_keys2) with the machine's public key.
/// </summary>
internal static class UserdataDisk
{
    public const string Magic = "boot2docker, please format-me";

    /// <summary>What boot2docker's autoformat saves as userdata.tar: the tar must fit.</summary>
    public const int SavedBytes = 4096;

    /// <summary>Writes a sparse raw disk image of <paramref name="sizeBytes"/> that starts with the userdata tar.</summary>
    public static void Write(string path, string authorizedKeys, long sizeBytes)
    {
        var tar = Tar(authorizedKeys);
        if (tar.Length - 1024 > SavedBytes)
        {
            throw new ArgumentException($"the public key is too long for the {SavedBytes} bytes boot2docker keeps of the userdata tar", nameof(authorizedKeys));
        }

        using var disk = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        disk.Write(tar);
        disk.SetLength(sizeBytes);
    }

    /// <summary>The tar, entry by entry as docker-machine writes it (USTAR headers, the magic entry with mode 0).</summary>
    public static byte[] Tar(string authorizedKeys)
    {
        ArgumentNullException.ThrowIfNull(authorizedKeys);
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(FileEntry(Magic, Magic, 0));
            writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, ".ssh") { Mode = (UnixFileMode)0x1C0 });
            writer.WriteEntry(FileEntry(".ssh/authorized_keys", authorizedKeys, 0x1A4));
            writer.WriteEntry(FileEntry(".ssh/authorized_keys2", authorizedKeys, 0x1A4));
        }

        return buffer.ToArray();
    }

    private static UstarTarEntry FileEntry(string name, string text, int mode) => new(TarEntryType.RegularFile, name)
    {
        Mode = (UnixFileMode)mode,
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
    };
}
