namespace Boot2IsoKit.Formats.Iso9660;

/// <summary>
/// A file, directory, symlink or special file of an image read by <see cref="IsoImage"/>. Attributes
/// come from Rock Ridge when the image has it; otherwise they are synthesised (directories 0555,
/// files 0444, uid/gid 0, the record date).
/// </summary>
internal sealed class IsoNode
{
    private readonly List<IsoNode> _children = [];
    private readonly Dictionary<string, IsoNode> _byName = new(StringComparer.Ordinal);

    internal IsoNode(IsoNode? parent, string name, string isoName, IsoNodeKind kind)
    {
        Parent = parent;
        Name = name;
        IsoName = isoName;
        Kind = kind;
        Path = parent is null ? "/" : parent.Path == "/" ? "/" + name : parent.Path + "/" + name;
    }

    /// <summary>The name readers show: Rock Ridge NM, else the ISO identifier without ";1" and a trailing dot.</summary>
    public string Name { get; }

    /// <summary>The raw ISO 9660 identifier ("INITRD.IMG;1"); empty for the root.</summary>
    public string IsoName { get; }

    /// <summary>Absolute path with "/" separators; the root is "/".</summary>
    public string Path { get; }

    public IsoNode? Parent { get; }

    public IsoNodeKind Kind { get; }

    /// <summary>Full st_mode (type bits and permissions).</summary>
    public uint Mode { get; internal set; }

    /// <summary>Permission bits only (07777).</summary>
    public uint Permissions => Mode & 0xFFF;

    public uint Uid { get; internal set; }

    public uint Gid { get; internal set; }

    public uint LinkCount { get; internal set; } = 1;

    public DateTimeOffset ModificationTime { get; internal set; }

    /// <summary>Bytes of data (sum of the extents); for directories the size of the directory extent.</summary>
    public long Size { get; internal set; }

    /// <summary>Rock Ridge SL target with components joined by "/"; null unless <see cref="Kind"/> is Symlink.</summary>
    public string? SymlinkTarget { get; internal set; }

    /// <summary>Rock Ridge PN device number (high 32 bits, low 32 bits), for device nodes.</summary>
    public ulong? DeviceNumber { get; internal set; }

    public IReadOnlyList<IsoExtent> Extents { get; internal set; } = [];

    public IReadOnlyList<IsoNode> Children => _children;

    public bool IsDirectory => Kind == IsoNodeKind.Directory;

    /// <summary>The child with this exact name, or null.</summary>
    public IsoNode? Child(string name) => _byName.GetValueOrDefault(name);

    /// <summary>This node and everything below it, parents before children, in directory order.</summary>
    public IEnumerable<IsoNode> Descendants()
    {
        var stack = new Stack<IsoNode>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            for (var i = node._children.Count - 1; i >= 0; i--)
            {
                stack.Push(node._children[i]);
            }
        }
    }

    internal bool TryAdd(IsoNode child)
    {
        if (!_byName.TryAdd(child.Name, child))
        {
            return false;
        }

        _children.Add(child);
        return true;
    }

    public override string ToString() => $"{Kind} {Path}";
}
