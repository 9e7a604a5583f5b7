using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Iso9660.Reading;

/// <summary>
/// Read-only, seekable view of one file's extents inside an image. Reads go to the shared image stream
/// under its lock, so several files can be open at once; nothing is buffered beyond the caller's buffer.
/// </summary>
internal sealed class IsoFileStream : ReadOnlyStream
{
    private readonly IsoImage _image;
    private readonly IsoExtent[] _extents;
    private long _position;

    public IsoFileStream(IsoImage image, IReadOnlyList<IsoExtent> extents, long length)
    {
        _image = image;
        _extents = [.. extents];
        Length = length;
    }

    public override bool CanSeek => true;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(Span<byte> buffer)
    {
        if (_position >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        // Find the extent holding _position; files have one extent except multi-extent level-3 files.
        long extentStart = 0;
        foreach (var extent in _extents)
        {
            if (_position < extentStart + extent.Length)
            {
                var inside = _position - extentStart;
                var count = (int)Math.Min(buffer.Length, extent.Length - inside);
                var read = _image.ReadAt((extent.Lba * (long)IsoImage.BlockSize) + inside, buffer[..count]);
                _position += read;
                return read;
            }

            extentStart += extent.Length;
        }

        return 0;
    }
}
