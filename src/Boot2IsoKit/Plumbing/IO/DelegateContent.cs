namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// Content whose stream comes from elsewhere: a file inside an ISO, an entry of a tgz that was
/// spooled to disk. The opener must return a stream of exactly <see cref="Length"/> bytes.
/// </summary>
internal sealed class DelegateContent : IContentSource
{
    private readonly Func<Stream> _open;

    public DelegateContent(long length, string description, Func<Stream> open)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        Description = description;
        _open = open;
    }

    public long Length { get; }

    public string Description { get; }

    public Stream OpenRead() => _open();
}
