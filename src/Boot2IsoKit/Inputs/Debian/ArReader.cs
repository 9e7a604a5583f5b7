using System.Globalization;
using System.Text;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>One member of an ar archive; <see cref="Data"/> is valid until the next member is read.</summary>
internal sealed record ArMember(string Name, long Offset, long Size, int Mode, Stream Data);

/// <summary>
/// Reads the common (System V / GNU) ar format that .deb files use, forward only:
/// "!&lt;arch&gt;\n", then per member a 60-byte text header and the data padded to an even length.
/// </summary>
internal sealed class ArReader
{
    private const int HeaderSize = 60;
    private readonly Stream _stream;
    private readonly string _name;
    private long _position;
    private long _nextHeader;

    public ArReader(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        Span<byte> magic = stackalloc byte[8];
        if (_stream.ReadAtLeast(magic, 8, throwOnEndOfStream: false) != 8 || !magic.SequenceEqual("!<arch>\n"u8))
        {
            throw new InvalidDebianInputException(name, "offset 0", "not an ar archive (no !<arch> magic)");
        }

        _position = 8;
        _nextHeader = 8;
    }

    /// <summary>The next member, or null at the end of the archive.</summary>
    public ArMember? Next()
    {
        Skip(_nextHeader - _position);
        var header = new byte[HeaderSize];
        var read = _stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }

        var at = $"member header at offset {_nextHeader}";
        if (read != HeaderSize)
        {
            throw new InvalidDebianInputException(_name, at, "truncated member header");
        }

        _position += HeaderSize;
        if (header[58] != (byte)'`' || header[59] != (byte)'\n')
        {
            throw new InvalidDebianInputException(_name, at, "bad member header terminator");
        }

        var name = Field(header, 0, 16).TrimEnd('/');
        var sizeText = Field(header, 48, 10);
        if (!long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            throw new InvalidDebianInputException(_name, at, $"member size '{sizeText}' is not a number");
        }

        var modeText = Field(header, 40, 8);
        var mode = modeText.Length == 0 ? 0 : Convert.ToInt32(modeText.All(c => c is >= '0' and <= '7') ? modeText : "0", 8);
        var offset = _position;
        _nextHeader = offset + size + (size & 1);
        var data = new BoundedReadStream(this, size);
        return new ArMember(name, offset, size, mode, data);
    }

    private static string Field(byte[] header, int offset, int length) => Encoding.ASCII.GetString(header, offset, length).Trim();

    private void Skip(long count)
    {
        if (count <= 0)
        {
            return;
        }

        if (_stream.CanSeek)
        {
            if (_stream.Position + count > _stream.Length)
            {
                throw new InvalidDebianInputException(_name, $"offset {_position}", "member data reaches past the end of the archive");
            }

            _stream.Seek(count, SeekOrigin.Current);
            _position += count;
            return;
        }

        var buffer = new byte[81920];
        while (count > 0)
        {
            var n = _stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0)
            {
                throw new InvalidDebianInputException(_name, $"offset {_position}", "member data reaches past the end of the archive");
            }

            count -= n;
            _position += n;
        }
    }

    /// <summary>The data of one member; reading past its end returns 0, a short archive is an error.</summary>
    private sealed class BoundedReadStream(ArReader owner, long length) : ReadOnlyStream
    {
        private long _read;

        public override long Length => length;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            var wanted = (int)Math.Min(buffer.Length, length - _read);
            if (wanted <= 0)
            {
                return 0;
            }

            var n = owner._stream.Read(buffer[..wanted]);
            if (n == 0)
            {
                throw new InvalidDebianInputException(owner._name, $"offset {owner._position}", "archive ends inside a member");
            }

            _read += n;
            owner._position += n;
            return n;
        }
    }
}
