using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// A read-only view of <c>[start, start + length)</c> of a seekable stream that counts what it has
/// handed out. Disposing it leaves the underlying stream open. Decoders read through it, so the
/// number of bytes a decoder consumed is <see cref="Position"/>. Reads are buffered: the LZMA decoder
/// takes its input one <see cref="ReadByte"/> at a time, which unbuffered cost a read of the
/// underlying (ISO file) stream per compressed byte and doubled the time to decode an initrd.
/// </summary>
internal sealed class WindowStream : ReadOnlyStream
{
    private const int BufferSize = 1 << 16;

    private readonly Stream _inner;
    private readonly long _start;
    private readonly long _length;
    private readonly byte[] _buffer = new byte[BufferSize];
    private long _position;

    /// <summary>Window position of <c>_buffer[0]</c>; the buffer holds <c>_buffered</c> bytes from there.</summary>
    private long _bufferStart;
    private int _buffered;

    public WindowStream(Stream inner, long start, long length)
    {
        _inner = inner;
        _start = start;
        _length = length;
    }

    public override bool CanSeek => true;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, _length);
    }

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, _length - _position);
        if (wanted <= 0)
        {
            return 0;
        }

        if (!InBuffer())
        {
            if (wanted >= BufferSize)
            {
                // A large read goes straight to the destination.
                var direct = ReadInner(_position, buffer[..wanted]);
                _position += direct;
                return direct;
            }

            Fill();
        }

        var offset = (int)(_position - _bufferStart);
        var count = Math.Min(wanted, _buffered - offset);
        _buffer.AsSpan(offset, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int ReadByte()
    {
        if (_position >= _length)
        {
            return -1;
        }

        if (!InBuffer())
        {
            Fill();
            if (!InBuffer())
            {
                return -1;
            }
        }

        return _buffer[(int)(_position++ - _bufferStart)];
    }


    private bool InBuffer() => _position >= _bufferStart && _position < _bufferStart + _buffered;

    private void Fill()
    {
        _bufferStart = _position;
        _buffered = 0;
        var wanted = (int)Math.Min(BufferSize, _length - _position);
        while (_buffered < wanted)
        {
            var read = ReadInner(_position + _buffered, _buffer.AsSpan(_buffered, wanted - _buffered));
            if (read == 0)
            {
                break;
            }

            _buffered += read;
        }
    }

    private int ReadInner(long position, Span<byte> destination)
    {
        if (_inner.Position != _start + position)
        {
            _inner.Position = _start + position;
        }

        return _inner.Read(destination);
    }
}
