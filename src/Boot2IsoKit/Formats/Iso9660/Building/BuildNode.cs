using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Iso9660.Building;

/// <summary>An entry of the tree an <see cref="IsoBuilder"/> will write. Children are kept sorted by name.</summary>
internal sealed class BuildNode(string name, IsoNodeKind kind)
{
    public string Name { get; } = name;

    public IsoNodeKind Kind { get; } = kind;

    /// <summary>Permission bits (07777); type bits come from <see cref="Kind"/>.</summary>
    public uint Permissions { get; set; }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    public DateTimeOffset? ModificationTime { get; set; }

    public IContentSource? Content { get; set; }

    public string? SymlinkTarget { get; set; }

    public ulong Device { get; set; }

    public SortedDictionary<string, BuildNode> Children { get; } = new(StringComparer.Ordinal);
}
