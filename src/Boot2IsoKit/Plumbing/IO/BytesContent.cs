namespace Boot2IsoKit.Plumbing.IO;

/// <summary>Small generated content (a motd, a version file, a wrapper script).</summary>
internal sealed class BytesContent : IContentSource
{
    private readonly ReadOnlyMemory<byte> _bytes;

    public BytesContent(ReadOnlyMemory<byte> bytes, string description)
    {
        _bytes = bytes;
        Description = description;
    }

    public static BytesContent FromText(string text, string description) =>
        new(System.Text.Encoding.UTF8.GetBytes(text), description);

    public long Length => _bytes.Length;

    public string Description { get; }

    public Stream OpenRead() => new MemoryStream(_bytes.ToArray(), writable: false);
}
