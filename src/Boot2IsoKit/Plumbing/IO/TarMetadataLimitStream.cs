using System.Globalization;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// Passes a tar stream through to <see cref="System.Formats.Tar.TarReader"/> while watching its headers:
/// TarReader buffers a pax extended header or a GNU long name/link whole, in an array as large as the
/// header's size field claims, so a one-kilobyte hostile archive could make it allocate gigabytes. Such
/// a header claiming more than <see cref="MaxMetadataSize"/> is refused (InvalidDataException, which the
/// caller turns into an input error) before TarReader sees its last byte. Data entries are not limited:
/// TarReader streams them.
/// </summary>
internal sealed class TarMetadataLimitStream(Stream inner) : ReadOnlyStream
{
    /// <summary>Far above real metadata (a long path or a few pax records), far below a harmful allocation.</summary>
    public const long MaxMetadataSize = 1 << 20;

    private const int BlockSize = 512;
    private readonly byte[] _header = new byte[BlockSize];
    private long _position;
    private long _nextHeader;
    private byte[]? _pax;
    private long _paxStart;
    private long? _sizeOverride;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Watch(buffer[..read]);
        return read;
    }


    /// <summary>
    /// Follows the tar layout through the bytes as they pass: collects each header block and each pax
    /// extended header's data (which may set the next entry's size), and checks a header once complete.
    /// </summary>
    private void Watch(ReadOnlySpan<byte> bytes)
    {
        var at = _position;
        _position += bytes.Length;
        while (!bytes.IsEmpty)
        {
            int taken;
            if (_pax is not null && at >= _paxStart)
            {
                taken = (int)Math.Min(bytes.Length, _paxStart + _pax.Length - at);
                bytes[..taken].CopyTo(_pax.AsSpan((int)(at - _paxStart)));
                if (at + taken == _paxStart + _pax.Length)
                {
                    _sizeOverride = PaxSize(_pax);
                    _pax = null;
                }
            }
            else if (at >= _nextHeader)
            {
                taken = (int)Math.Min(bytes.Length, _nextHeader + BlockSize - at);
                bytes[..taken].CopyTo(_header.AsSpan((int)(at - _nextHeader)));
                if (at + taken == _nextHeader + BlockSize)
                {
                    _nextHeader = NextHeaderAfter(_nextHeader);
                }
            }
            else
            {
                // Entry data or padding: skip to the next place worth reading.
                taken = (int)Math.Min(bytes.Length, (_pax is null ? _nextHeader : _paxStart) - at);
            }

            at += taken;
            bytes = bytes[taken..];
        }
    }

    private long NextHeaderAfter(long headerOffset)
    {
        var type = (char)_header[156];
        var size = SizeField();
        if (size is null)
        {
            // Unreadable size: TarReader rejects the header itself; nothing more to follow.
            return long.MaxValue;
        }

        var dataStart = headerOffset + BlockSize;
        if (type is 'x' or 'g' or 'L' or 'K')
        {
            if (size > MaxMetadataSize)
            {
                throw new InvalidDataException($"tar metadata entry (type '{type}') at offset {headerOffset} claims {size} bytes, over the {MaxMetadataSize} byte limit");
            }

            if (type == 'x' && size > 0)
            {
                _pax = new byte[size.Value];
                _paxStart = dataStart;
            }
        }
        else if (_sizeOverride is { } paxSize)
        {
            size = paxSize;
            _sizeOverride = null;
        }

        return size > long.MaxValue - dataStart - BlockSize
            ? long.MaxValue
            : dataStart + ((size.Value + BlockSize - 1) / BlockSize * BlockSize);
    }

    /// <summary>The "size" record of pax extended header data ("&lt;length&gt; size=&lt;decimal&gt;\n"), if any.</summary>
    private static long? PaxSize(byte[] data)
    {
        foreach (var record in System.Text.Encoding.UTF8.GetString(data).Split('\n'))
        {
            var space = record.IndexOf(' ', StringComparison.Ordinal);
            if (space >= 0 && record.AsSpan(space + 1).StartsWith("size=", StringComparison.Ordinal)
                && long.TryParse(record.AsSpan(space + 6), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                return size;
            }
        }

        return null;
    }

    /// <summary>The 12-byte size field: octal digits, or base-256 when the high bit of its first byte is set.</summary>
    private long? SizeField()
    {
        var field = _header.AsSpan(124, 12);
        if ((field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7F;
            foreach (var b in field[1..])
            {
                if (value > (long.MaxValue >> 8))
                {
                    return long.MaxValue;
                }

                value = (value << 8) | b;
            }

            return value;
        }

        var text = System.Text.Encoding.ASCII.GetString(field).Trim(' ', '\0');
        if (text.Length == 0)
        {
            return 0;
        }

        try
        {
            return Convert.ToInt64(text, 8);
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            return null;
        }
    }
}
