using System.Globalization;
using System.Text;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// Forward-only reader of a newc cpio archive ("070701", or "070702" with data checksums), as the
/// Linux initramfs unpacker reads it. It never reads past what the current step needs, so a caller
/// that knows where the archive started knows from <see cref="Position"/> exactly where it ended.
/// Names are checked like every rootfs path ("..", NUL and over-long names are refused) and returned
/// normalized ("./etc/motd" and "/etc/motd" become "etc/motd"; the root itself is "."). File data is
/// streamed; nothing is allocated in proportion to a size the archive claims.
/// </summary>
internal sealed class CpioReader : IDisposable
{
    internal const int HeaderSize = 110;

    /// <summary>PATH_MAX: the kernel refuses longer names and symlink targets, so do we.</summary>
    internal const int MaxNameSize = 4096;

    private readonly Stream _stream;
    private readonly string _input;
    private readonly long _baseOffset;
    private readonly bool _leaveOpen;
    private readonly bool _continueAfterTrailer;
    private readonly byte[] _header = new byte[HeaderSize];

    // Reused for every entry skipped: a fresh 80 KB buffer per entry was a quarter of what a first build allocated.
    private byte[]? _skipBuffer;
    private long _position;
    private long _dataRemaining;
    private int _dataPadding;
    private uint _checksum;
    private long _entryOffset;
    private int _pushedBack = -1;

    /// <param name="stream">The archive, positioned at its first header (4-byte aligned in its initrd).</param>
    /// <param name="input">Name of the input for error messages.</param>
    /// <param name="baseOffset">Offset of the archive inside the input, added to offsets in errors.</param>
    /// <param name="continueAfterTrailer">
    /// Inside a compressed initrd member the kernel accepts zero padding and further archives after a
    /// trailer; set this to read them as one sequence of entries.
    /// </param>
    public CpioReader(Stream stream, string input, long baseOffset = 0, bool continueAfterTrailer = false, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _input = input;
        _baseOffset = baseOffset;
        _continueAfterTrailer = continueAfterTrailer;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The entry the last <see cref="MoveNext"/> reached, or null before the first and after the end.</summary>
    public CpioHeader? Current { get; private set; }

    /// <summary>Target of the current entry when it is a symlink.</summary>
    public string? SymlinkTarget { get; private set; }

    /// <summary>Bytes consumed from the archive start, including the padding after the last entry read.</summary>
    public long Position => _position;

    /// <summary>How many "TRAILER!!!" entries were read.</summary>
    public int TrailerCount { get; private set; }

    /// <summary>Offset (from the archive start) of the current entry's header.</summary>
    public long CurrentOffset => _entryOffset;

    /// <summary>Moves to the next entry; false at the trailer (or a clean end of data).</summary>
    public bool MoveNext()
    {
        SkipRestOfEntry();
        Current = null;
        SymlinkTarget = null;
        while (true)
        {
            _entryOffset = _position;
            var read = ReadUpTo(_header);
            if (read == 0)
            {
                return false;
            }

            if (read < HeaderSize)
            {
                throw Error(_entryOffset, null, $"truncated header: {read} of {HeaderSize} bytes");
            }

            var header = ParseHeader();
            if (header.Name == CpioHeader.TrailerName)
            {
                SkipRestOfEntry();
                Current = null;
                TrailerCount++;
                if (!_continueAfterTrailer || !SkipZerosToNextArchive())
                {
                    return false;
                }

                continue;
            }

            Current = header;
            if (header.Kind == Boot2IsoKit.Model.Rootfs.RootfsEntryKind.Symlink)
            {
                SymlinkTarget = ReadSymlinkTarget(header);
            }

            return true;
        }
    }

    /// <summary>A stream over the current entry's data (file contents); read it before the next <see cref="MoveNext"/>.</summary>
    public Stream OpenEntryStream()
    {
        if (Current is null)
        {
            throw new InvalidOperationException("No current entry.");
        }

        return new EntryDataStream(this);
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private CpioHeader ParseHeader()
    {
        var magic = Encoding.ASCII.GetString(_header, 0, 6);
        if (magic != "070701" && magic != "070702")
        {
            var problem = magic == "070707"
                ? "old binary/odc cpio format (\"070707\"); the kernel only reads newc (cpio -H newc)"
                : $"bad magic \"{Printable(magic)}\" (expected \"070701\" or \"070702\")";
            throw Error(_entryOffset, null, problem);
        }

        var nameSize = Field(11);
        if (nameSize < 1 || nameSize > MaxNameSize)
        {
            throw Error(_entryOffset, null, $"name size {nameSize} outside 1..{MaxNameSize}");
        }

        var nameBytes = new byte[nameSize];
        ReadExactly(nameBytes, _entryOffset, null, "name");
        SkipPadding(HeaderSize + nameSize, _entryOffset, null);
        if (nameBytes[^1] != 0)
        {
            throw Error(_entryOffset, null, "name is not terminated by a NUL byte");
        }

        var rawName = Encoding.UTF8.GetString(nameBytes, 0, (int)nameSize - 1);
        if (rawName.Contains('\0', StringComparison.Ordinal))
        {
            throw Error(_entryOffset, Printable(rawName), "name contains a NUL byte");
        }

        var fileSize = Field(6);
        var header = new CpioHeader
        {
            Name = rawName == CpioHeader.TrailerName ? rawName : NormalizeName(rawName),
            Inode = Field(0),
            Mode = (int)Field(1),
            Uid = (int)Field(2),
            Gid = (int)Field(3),
            LinkCount = (int)Field(4),
            ModificationTime = Field(5),
            FileSize = fileSize,
            DevMajor = (int)Field(7),
            DevMinor = (int)Field(8),
            RDevMajor = (int)Field(9),
            RDevMinor = (int)Field(10),
            Checksum = (uint)Field(12),
            HasChecksum = magic == "070702",
        };

        if (header.Name != CpioHeader.TrailerName && (int)header.Kind < 0)
        {
            throw Error(_entryOffset, header.Name, $"unknown file type in mode {Convert.ToString(header.Mode, 8)}");
        }

        if (_stream.CanSeek)
        {
            var remaining = _stream.Length - _stream.Position;
            if (fileSize > remaining)
            {
                throw Error(_entryOffset, header.Name, $"data size {fileSize} goes past the end of the input ({remaining} bytes left)");
            }
        }

        _dataRemaining = fileSize;
        _dataPadding = (int)((4 - (fileSize & 3)) & 3);
        _checksum = 0;
        Current = header;
        return header;
    }

    private string NormalizeName(string rawName)
    {
        var trimmed = rawName.Replace('\\', '/').Trim('/');
        if (trimmed.Length == 0 || trimmed == "." || trimmed.Split('/').All(s => s.Length == 0 || s == "."))
        {
            return ".";
        }

        try
        {
            return Boot2IsoKit.Model.Rootfs.RootfsPath.Normalize(rawName, _input);
        }
        catch (Boot2IsoKit.Plumbing.Errors.InvalidInputException e)
        {
            throw Error(_entryOffset, Printable(rawName), e.Problem);
        }
    }

    private string ReadSymlinkTarget(CpioHeader header)
    {
        if (header.FileSize < 1 || header.FileSize > MaxNameSize)
        {
            throw Error(_entryOffset, header.Name, $"symlink target size {header.FileSize} outside 1..{MaxNameSize}");
        }

        var target = new byte[header.FileSize];
        using (var data = new EntryDataStream(this))
        {
            var offset = 0;
            while (offset < target.Length)
            {
                offset += data.Read(target, offset, target.Length - offset);
            }
        }

        var text = Encoding.UTF8.GetString(target);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw Error(_entryOffset, header.Name, "symlink target contains a NUL byte");
        }

        return text;
    }

    /// <summary>After a trailer: skip zero padding; true when another archive starts at an aligned offset.</summary>
    private bool SkipZerosToNextArchive()
    {
        while (true)
        {
            var b = ReadByteRaw();
            if (b < 0)
            {
                return false;
            }

            if (b == 0)
            {
                continue;
            }

            var at = _position - 1;
            if (b == '0' && (at & 3) == 0)
            {
                _pushedBack = b;
                _position--;
                return true;
            }

            throw Error(at, null, (at & 3) != 0 && b == '0'
                ? "broken padding: next archive does not start at a 4-byte boundary"
                : $"junk (byte 0x{b:X2}) after the trailer inside a compressed member");
        }
    }

    private long Field(int index)
    {
        var text = Encoding.ASCII.GetString(_header, 6 + (index * 8), 8);
        if (!uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(_entryOffset, null, $"header field {index} is not 8 hex digits: \"{Printable(text)}\"");
        }

        return value;
    }

    private void SkipRestOfEntry()
    {
        if (Current is null)
        {
            return;
        }

        var buffer = _skipBuffer ??= new byte[81920];
        while (_dataRemaining > 0)
        {
            ReadData(buffer.AsSpan(0, (int)Math.Min(buffer.Length, _dataRemaining)));
        }

        FinishData();
    }

    internal int ReadData(Span<byte> destination)
    {
        if (_dataRemaining == 0)
        {
            return 0;
        }

        var wanted = (int)Math.Min(destination.Length, _dataRemaining);
        var read = ReadRaw(destination[..wanted]);
        if (read == 0)
        {
            throw Error(_entryOffset, Current?.Name, $"data ends {_dataRemaining} bytes early (truncated archive)");
        }

        _dataRemaining -= read;
        if (Current!.HasChecksum)
        {
            foreach (var b in destination[..read])
            {
                _checksum += b;
            }
        }

        if (_dataRemaining == 0)
        {
            FinishData();
        }

        return read;
    }

    private void FinishData()
    {
        if (_dataPadding < 0)
        {
            return;
        }

        var padding = _dataPadding;
        _dataPadding = -1;
        if (Current!.HasChecksum && Current.Kind == Boot2IsoKit.Model.Rootfs.RootfsEntryKind.File && _checksum != Current.Checksum)
        {
            throw Error(_entryOffset, Current.Name, $"data checksum 0x{_checksum:X8} does not match the header's 0x{Current.Checksum:X8}");
        }

        // The kernel tolerates a missing final padding at the very end of the data; so do we.
        Span<byte> pad = stackalloc byte[4];
        ReadUpTo(pad[..padding]);
    }

    private void SkipPadding(long length, long entryOffset, string? name)
    {
        var padding = (int)((4 - (length & 3)) & 3);
        Span<byte> pad = stackalloc byte[4];
        if (ReadUpTo(pad[..padding]) < padding)
        {
            throw Error(entryOffset, name, "truncated after the name");
        }
    }

    private void ReadExactly(Span<byte> buffer, long entryOffset, string? name, string what)
    {
        if (ReadUpTo(buffer) < buffer.Length)
        {
            throw Error(entryOffset, name, $"truncated {what}");
        }
    }

    private int ReadUpTo(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = ReadRaw(buffer[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private int ReadRaw(Span<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_pushedBack >= 0)
        {
            buffer[0] = (byte)_pushedBack;
            _pushedBack = -1;
            _position++;
            return 1;
        }

        int read;
        try
        {
            read = _stream.Read(buffer);
        }
        catch (Exception e) when (MalformedInput.IsFromDecoder(e))
        {
            throw new InvalidCpioException(_input, $"offset {_baseOffset + _position}", $"cannot read the archive data (corrupt compressed member?): {e.Message}", e);
        }

        _position += read;
        return read;
    }

    private int ReadByteRaw()
    {
        Span<byte> one = stackalloc byte[1];
        return ReadRaw(one) == 0 ? -1 : one[0];
    }

    private InvalidCpioException Error(long offset, string? name, string problem) =>
        new(_input, name is null ? $"offset {_baseOffset + offset}" : $"offset {_baseOffset + offset} (entry '{name}')", problem);

    private static string Printable(string text) =>
        new([.. text.Select(c => c < ' ' || c > '~' ? '?' : c)]);

    private sealed class EntryDataStream(CpioReader reader) : ReadOnlyStream
    {
        public override long Length => reader.Current?.FileSize ?? 0;

        public override long Position
        {
            get => Length - reader._dataRemaining;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => reader.ReadData(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => reader.ReadData(buffer);
    }
}
