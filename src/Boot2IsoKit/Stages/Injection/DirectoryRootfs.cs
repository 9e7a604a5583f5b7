namespace Boot2IsoKit.Stages.Injection;

/// <summary>
/// A rootfs that is a plain directory on the build host: the host itself ("/"), an extracted package set,
/// an unpacked container image. Used as a donor, and as a target in tests.
/// </summary>
internal sealed class DirectoryRootfs : ITargetRootfs
{
    public DirectoryRootfs(string root)
    {
        Root = Path.GetFullPath(root);
        if (!Directory.Exists(Root))
        {
            throw new DirectoryNotFoundException($"rootfs directory {Root} does not exist");
        }
    }

    /// <summary>The host directory that is "/" of this rootfs.</summary>
    public string Root { get; }

    public string Description => Root;

    /// <summary>The host path of a rootfs path, without following any symlink.</summary>
    public string HostPath(string path)
    {
        var relative = path.TrimStart('/');
        return relative.Length == 0 ? Root : Path.Combine(Root, relative);
    }

    public bool Exists(string path)
    {
        var info = new FileInfo(HostPath(path));
        return info.Exists || info.LinkTarget is not null || Directory.Exists(info.FullName);
    }

    public bool IsSymlink(string path) => new FileInfo(HostPath(path)).LinkTarget is not null;

    public string? LinkTarget(string path) => new FileInfo(HostPath(path)).LinkTarget;

    public bool IsDirectory(string path)
    {
        var info = new DirectoryInfo(HostPath(path));
        return info.Exists && info.LinkTarget is null;
    }

    public Stream OpenRead(string path) =>
        new FileStream(HostPath(path), FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);

    public IEnumerable<string> List(string directory)
    {
        var host = HostPath(directory);
        return Directory.Exists(host)
            ? Directory.EnumerateFileSystemEntries(host).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];
    }

    /// <summary>Permission bits of a regular file (0 on Windows, where the caller picks a default).</summary>
    public int Permissions(string path) =>
        OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(HostPath(path));
}
