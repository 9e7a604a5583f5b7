namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// Base of the library's read-only streams (views into a file, decoder wrappers, concatenations): what
/// every one of them has to state, stated once. A subclass reads through <see cref="Read(Span{byte})"/>;
/// a seekable one also overrides <see cref="CanSeek"/>, <see cref="Length"/> and <see cref="Position"/>,
/// and gets <see cref="Seek"/> from them.
/// </summary>
internal abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override int Read(Span<byte> buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!CanSeek)
        {
            throw new NotSupportedException();
        }

        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };
        return Position;
    }

    /// <summary>Nothing is written, so there is nothing to flush.</summary>
    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
