using System.Text;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Iso9660.Building;

/// <summary>
/// Describes an ISO 9660 image (level 3, Rock Ridge on by default, Joliet optional, El Torito and an
/// isohybrid MBR optional) and writes it. Nothing is laid out until <see cref="Build"/>, and file data is
/// streamed from each <see cref="IContentSource"/> then, so memory does not grow with the image size.
/// Usage: <c>var b = IsoBuilder.FromImage(IsoImage.Open(baseIso), sourceDate); b.VolumeId = "b2d-v1"; b.BuildToFile(outIso);</c>
/// </summary>
internal sealed class IsoBuilder
{
    public const int MaxVolumeIdBytes = 32;
    private readonly BuildNode _root = new("", IsoNodeKind.Directory) { Permissions = 0x1ED };
    private string _volumeId = "CDROM";
    private string _systemId = "LINUX";
    private string _applicationId = "";
    private string _publisherId = "";
    private string _dataPreparerId = "";
    private ReadOnlyMemory<byte>? _systemAreaTemplate;

    /// <summary>
    /// Volume identifier (PVD byte 40, image offset 0x8028): docker-machine reads it to learn the boot2docker
    /// version. At most 32 bytes of printable ASCII.
    /// </summary>
    public string VolumeId
    {
        get => _volumeId;
        set => _volumeId = ValidateId(value, MaxVolumeIdBytes, nameof(VolumeId), allowEmpty: false);
    }

    public string SystemId { get => _systemId; set => _systemId = ValidateId(value, 32, nameof(SystemId)); }

    public string ApplicationId { get => _applicationId; set => _applicationId = ValidateId(value, 128, nameof(ApplicationId)); }

    public string PublisherId { get => _publisherId; set => _publisherId = ValidateId(value, 128, nameof(PublisherId)); }

    public string DataPreparerId { get => _dataPreparerId; set => _dataPreparerId = ValidateId(value, 128, nameof(DataPreparerId)); }

    /// <summary>
    /// The one time used for volume dates and for entries added without their own time, given by the caller (the
    /// build's source date), so the same inputs write the same bytes. The builder never reads the clock or the environment.
    /// </summary>
    public required DateTimeOffset Timestamp { get; set; }

    public bool UseRockRidge { get; set; } = true;

    public bool UseJoliet { get; set; }

    public ElToritoBootOptions? ElToritoBoot { get; set; }

    /// <summary>
    /// isohdpfx-style system area template (432..32768 bytes). When set, sector 0 becomes an isohybrid
    /// MBR pointing at the El Torito boot image, and the image is padded to whole 1 MiB cylinders.
    /// </summary>
    public ReadOnlyMemory<byte>? SystemAreaTemplate
    {
        get => _systemAreaTemplate;
        set
        {
            if (value is { Length: < 432 or > 32768 })
            {
                throw new ArgumentException($"a system area template has 432..32768 bytes, not {value.Value.Length}", nameof(value));
            }

            _systemAreaTemplate = value;
        }
    }

    /// <summary>
    /// A builder holding every node, the boot setup and the hybrid template of a base image. Its <see cref="Timestamp"/> is
    /// <paramref name="timestamp"/>, else the base's own volume date (see <see cref="IsoRemaster.ToBuilder"/>).
    /// </summary>
    public static IsoBuilder FromImage(IsoImage image, DateTimeOffset? timestamp = null) => IsoRemaster.ToBuilder(image, timestamp);

    /// <summary>Adds (or updates the attributes of) a directory; missing parents are created with mode 0755.</summary>
    public void AddDirectory(string path, uint mode = 0x1ED, uint uid = 0, uint gid = 0, DateTimeOffset? modificationTime = null)
    {
        var (parent, name) = Parent(path, create: true);
        if (parent.Children.TryGetValue(name, out var existing))
        {
            if (existing.Kind != IsoNodeKind.Directory)
            {
                throw new InvalidOperationException($"'{path}' is already a {existing.Kind}; Remove it first");
            }
        }
        else
        {
            existing = new BuildNode(name, IsoNodeKind.Directory);
            parent.Children.Add(name, existing);
        }

        Set(existing, mode, uid, gid, modificationTime);
    }

    /// <summary>Adds or replaces a regular file whose bytes are read from <paramref name="content"/> at build time.</summary>
    public void AddFile(string path, IContentSource content, uint mode = 0x1A4, uint uid = 0, uint gid = 0, DateTimeOffset? modificationTime = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        Set(Replace(path, IsoNodeKind.File), mode, uid, gid, modificationTime).Content = content;
    }

    /// <summary>Adds or replaces a Rock Ridge symbolic link.</summary>
    public void AddSymlink(string path, string target, uint mode = 0x1FF, uint uid = 0, uint gid = 0, DateTimeOffset? modificationTime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (target.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a symlink target cannot contain NUL", nameof(target));
        }

        Set(Replace(path, IsoNodeKind.Symlink), mode, uid, gid, modificationTime).SymlinkTarget = target;
    }

    /// <summary>Adds a device node, FIFO or socket (Rock Ridge PX type, PN device number).</summary>
    public void AddSpecial(string path, IsoNodeKind kind, uint mode, ulong device = 0, uint uid = 0, uint gid = 0, DateTimeOffset? modificationTime = null)
    {
        if (kind is IsoNodeKind.File or IsoNodeKind.Directory or IsoNodeKind.Symlink)
        {
            throw new ArgumentException($"use AddFile, AddDirectory or AddSymlink for a {kind}", nameof(kind));
        }

        Set(Replace(path, kind), mode, uid, gid, modificationTime).Device = device;
    }

    /// <summary>Sets the attributes of the root directory.</summary>
    public void SetRootAttributes(uint mode, uint uid = 0, uint gid = 0, DateTimeOffset? modificationTime = null) =>
        Set(_root, mode, uid, gid, modificationTime);

    /// <summary>Removes an entry (a directory with everything below it). Returns false when absent.</summary>
    public bool Remove(string path)
    {
        var (parent, name) = Parent(path, create: false);
        return parent.Children.Remove(name);
    }

    public bool Contains(string path) => Lookup(path) is not null;

    /// <summary>Kind of the entry at a path, or null.</summary>
    public IsoNodeKind? KindOf(string path) => Lookup(path)?.Kind;

    /// <summary>Every path in the tree, parents first, names in ordinal order.</summary>
    public IEnumerable<string> Paths()
    {
        var stack = new Stack<(BuildNode Node, string Path)>();
        stack.Push((_root, ""));
        while (stack.Count > 0)
        {
            var (node, path) = stack.Pop();
            if (path.Length > 0)
            {
                yield return path;
            }

            foreach (var child in node.Children.Values.Reverse())
            {
                stack.Push((child, path.Length == 0 ? child.Name : path + "/" + child.Name));
            }
        }
    }

    /// <summary>Lays out and writes the image to a stream, sequentially (the stream need not be seekable).</summary>
    public void Build(Stream output, IProgress<IsoBuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var layout = new SectorLayout(this, _root);
        layout.Write(output, progress, cancellationToken);
    }

    /// <summary>Builds into a file atomically: the file appears complete or not at all.</summary>
    public void BuildToFile(string path, IProgress<IsoBuildProgress>? progress = null, CancellationToken cancellationToken = default) =>
        AtomicFile.Write(path, stream => Build(stream, progress, cancellationToken));

    private static BuildNode Set(BuildNode node, uint mode, uint uid, uint gid, DateTimeOffset? time)
    {
        node.Permissions = mode & 0xFFF;
        node.Uid = uid;
        node.Gid = gid;
        node.ModificationTime = time;
        return node;
    }

    private BuildNode Replace(string path, IsoNodeKind kind)
    {
        var (parent, name) = Parent(path, create: true);
        if (parent.Children.TryGetValue(name, out var existing) && existing.Kind == IsoNodeKind.Directory)
        {
            throw new InvalidOperationException($"'{path}' is a directory; Remove it before adding a {kind} there");
        }

        var node = new BuildNode(name, kind);
        parent.Children[name] = node;
        return node;
    }

    private BuildNode? Lookup(string path)
    {
        var node = _root;
        foreach (var segment in RootfsPath.Normalize(path, "ISO path").Split('/'))
        {
            if (!node.Children.TryGetValue(segment, out node))
            {
                return null;
            }
        }

        return node;
    }

    private (BuildNode Parent, string Name) Parent(string path, bool create)
    {
        var normalized = RootfsPath.Normalize(path, "ISO path");
        var segments = normalized.Split('/');
        var node = _root;
        foreach (var segment in segments[..^1])
        {
            if (!node.Children.TryGetValue(segment, out var child))
            {
                if (!create)
                {
                    return (new BuildNode("", IsoNodeKind.Directory), segments[^1]);
                }

                child = new BuildNode(segment, IsoNodeKind.Directory) { Permissions = 0x1ED };
                node.Children.Add(segment, child);
            }
            else if (child.Kind != IsoNodeKind.Directory)
            {
                throw new InvalidOperationException($"'{segment}' in '{path}' is a {child.Kind}, not a directory");
            }

            node = child;
        }

        if (Encoding.UTF8.GetByteCount(segments[^1]) > 255)
        {
            throw new ArgumentException($"name '{segments[^1]}' is longer than 255 bytes", nameof(path));
        }

        return (node, segments[^1]);
    }

    private static string ValidateId(string value, int maxBytes, string field, bool allowEmpty = true)
    {
        ArgumentNullException.ThrowIfNull(value, field);
        if (!allowEmpty && value.Length == 0)
        {
            throw new ArgumentException($"{field} cannot be empty", field);
        }

        if (value.Length > maxBytes || value.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException(
                $"{field} '{value}' must be at most {maxBytes} bytes of printable ASCII (it has {Encoding.UTF8.GetByteCount(value)} bytes)" +
                (field == nameof(VolumeId) ? "; docker-machine reads the volume id at offset 0x8028 to learn the ISO version" : ""),
                field);
        }

        return value;
    }
}
