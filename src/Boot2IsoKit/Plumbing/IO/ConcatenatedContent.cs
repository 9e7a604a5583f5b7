using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// Content made of parts read one after the other, each opened only when the reader reaches it: an
/// appended initrd is the base initrd (read straight out of the base ISO) followed by the overlay member,
/// with no temporary copy of the base.
/// </summary>
internal sealed class ConcatenatedContent : IContentSource
{
    private readonly IReadOnlyList<IContentSource> _parts;

    public ConcatenatedContent(string description, params IReadOnlyList<IContentSource> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _parts = parts;
        Description = description;
        Length = parts.Sum(p => p.Length);
    }

    public long Length { get; }

    public string Description { get; }

    public Stream OpenRead() => new PartsStream(_parts);

    /// <summary>Reads each part to its declared length; a part that is shorter or longer than it said is an error, not silently shifted data.</summary>
    private sealed class PartsStream(IReadOnlyList<IContentSource> parts) : ReadOnlyStream
    {
        private int _next;
        private Stream? _current;
        private long _remaining;
        private long _position;

        public override long Length => parts.Sum(p => p.Length);

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                if (_current is null)
                {
                    if (_next == parts.Count)
                    {
                        return 0;
                    }

                    var part = parts[_next++];
                    _current = part.OpenRead();
                    _remaining = part.Length;
                }

                if (_remaining == 0)
                {
                    if (_current.ReadByte() >= 0)
                    {
                        throw new IOException($"{parts[_next - 1].Description} is longer than its declared {parts[_next - 1].Length} bytes");
                    }

                    _current.Dispose();
                    _current = null;
                    continue;
                }

                var read = _current.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
                if (read == 0)
                {
                    throw new IOException($"{parts[_next - 1].Description} ended {_remaining} bytes before its declared {parts[_next - 1].Length}");
                }

                _remaining -= read;
                _position += read;
                return read;
            }

            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _current?.Dispose();
                _current = null;
            }

            base.Dispose(disposing);
        }
    }
}
