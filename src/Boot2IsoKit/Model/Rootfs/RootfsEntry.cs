using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Model.Rootfs;

/// <summary>
/// One path of a root filesystem addition: what the overlay puts at <see cref="Path"/>.
/// Paths are relative to the rootfs root, '/'-separated, without a leading slash ("usr/local/bin/docker").
/// </summary>
internal sealed record RootfsEntry
{
    public required string Path { get; init; }

    public required RootfsEntryKind Kind { get; init; }

    /// <summary>Permission bits only (0..07777); the file type comes from <see cref="Kind"/>.</summary>
    public int Permissions { get; init; }

    public int Uid { get; init; }

    public int Gid { get; init; }

    /// <summary>Modification time in seconds since the Unix epoch.</summary>
    public long ModificationTime { get; init; }

    /// <summary>Bytes of a <see cref="RootfsEntryKind.File"/>; null for every other kind.</summary>
    public IContentSource? Content { get; init; }

    /// <summary>Target of a symlink (as stored) or of a hard link (a rootfs path).</summary>
    public string? LinkTarget { get; init; }

    public int DeviceMajor { get; init; }

    public int DeviceMinor { get; init; }

    /// <summary>Where the entry came from, for reports ("overlays/experimental-motd", "engine tgz", "ipvsadm closure").</summary>
    public string Origin { get; init; } = "";

    public static RootfsEntry Directory(string path, int permissions = 0x1ED /* 0755 */, string origin = "") =>
        new() { Path = RootfsPath.Normalize(path), Kind = RootfsEntryKind.Directory, Permissions = permissions, Origin = origin };

    public static RootfsEntry File(string path, IContentSource content, int permissions = 0x1A4 /* 0644 */, string origin = "") =>
        new() { Path = RootfsPath.Normalize(path), Kind = RootfsEntryKind.File, Permissions = permissions, Content = content, Origin = origin };

    public static RootfsEntry Symlink(string path, string target, string origin = "") =>
        new() { Path = RootfsPath.Normalize(path), Kind = RootfsEntryKind.Symlink, Permissions = 0x1FF /* 0777 */, LinkTarget = target, Origin = origin };
}
