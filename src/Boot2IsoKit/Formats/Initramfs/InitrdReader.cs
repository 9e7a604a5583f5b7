
namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// Walks an initrd the way the kernel's unpack_to_rootfs does: members (plain or compressed newc
/// archives) one after the other, zero bytes between them skipped, a plain archive only at a 4-byte
/// aligned offset, each compressor chosen by its magic. Anything else is an
/// <see cref="InvalidCpioException"/> naming the offset. The stream must be seekable (a file); the
/// caller keeps ownership of it.
/// </summary>
internal sealed class InitrdReader
{
    private readonly Stream _initrd;
    private readonly string _input;

    public InitrdReader(Stream initrd, string input)
    {
        ArgumentNullException.ThrowIfNull(initrd);
        if (!initrd.CanSeek || !initrd.CanRead)
        {
            throw new ArgumentException("The initrd stream must be readable and seekable (spool it to a file first).", nameof(initrd));
        }

        _initrd = initrd;
        _input = input;
    }

    /// <summary>Lists the members with their entry counts (decodes everything once).</summary>
    public IReadOnlyList<InitrdMember> ListMembers() => Walk(null);

    /// <summary>
    /// What the kernel would unpack: every path with the definition of the last member naming it.
    /// <paramref name="keepData"/> chooses the regular files whose bytes are kept in memory; by default
    /// files of at most 64 KiB under etc/ (os-release, version, motd...).
    /// </summary>
    public InitrdContents ReadContents(Func<CpioHeader, bool>? keepData = null)
    {
        keepData ??= DefaultKeep;
        var entries = new Dictionary<string, InitrdEntry>(StringComparer.Ordinal);
        var order = new List<string>();
        var hardLinks = new Dictionary<(int, long, int, int), List<string>>();
        var members = Walk((member, reader) =>
        {
            var header = reader.Current!;
            byte[]? data = null;
            if (header.Kind == Boot2IsoKit.Model.Rootfs.RootfsEntryKind.File && header.FileSize > 0 && keepData(header))
            {
                data = new byte[header.FileSize];
                using var stream = reader.OpenEntryStream();
                stream.ReadExactly(data);
            }

            if (!entries.ContainsKey(header.Name))
            {
                order.Add(header.Name);
            }

            entries[header.Name] = new InitrdEntry(header.Name, header, reader.SymlinkTarget, member, data);
            if (header.Kind == Boot2IsoKit.Model.Rootfs.RootfsEntryKind.File && header.LinkCount > 1)
            {
                // newc puts a hard-linked file's data on its last name: show it on every name of the file.
                var key = (member, header.Inode, header.DevMajor, header.DevMinor);
                if (!hardLinks.TryGetValue(key, out var names))
                {
                    hardLinks[key] = names = [];
                }

                names.Add(header.Name);
                if (header.FileSize > 0)
                {
                    foreach (var name in names)
                    {
                        if (entries[name] is { } earlier && earlier.MemberIndex == member && earlier.Header.Inode == header.Inode)
                        {
                            entries[name] = earlier with { Header = earlier.Header with { FileSize = header.FileSize }, Data = data };
                        }
                    }
                }
            }
        });
        return new InitrdContents(members, [.. order.Select(p => entries[p])]);
    }

    /// <summary>
    /// Decodes each member in order and calls <paramref name="visit"/> for every entry (member index,
    /// reader positioned on the entry; the visitor may read the entry's data).
    /// </summary>
    internal IReadOnlyList<InitrdMember> Walk(Action<int, CpioReader>? visit)
    {
        var members = new List<InitrdMember>();
        var length = _initrd.Length;
        var offset = 0L;
        var head = new byte[6];
        while (offset < length)
        {
            offset = SkipZeros(offset, length);
            if (offset >= length)
            {
                break;
            }

            _initrd.Position = offset;
            var got = _initrd.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var compression = MemberDecoder.Detect(head.AsSpan(0, got), offset)
                ?? throw new InvalidCpioException(_input, $"offset {offset}", head[0] == '0'
                    ? "a plain cpio archive must start at a 4-byte aligned offset (broken padding)"
                    : $"invalid magic at start of a compressed archive ({Convert.ToHexString(head, 0, Math.Min(got, 2))})");

            using var decoder = MemberDecoder.Open(_initrd, _input, offset, compression);
            var plain = compression == InitrdCompression.None;
            using var reader = new CpioReader(decoder.Data, _input, plain ? offset : 0, continueAfterTrailer: !plain, leaveOpen: true);
            var count = 0;
            while (reader.MoveNext())
            {
                count++;
                visit?.Invoke(members.Count, reader);
            }

            if (!plain)
            {
                // A compressed member may end with padding the cpio reader already skipped; drain the rest.
                decoder.Data.CopyTo(Stream.Null);
            }

            var end = decoder.End(reader.Position);
            members.Add(new InitrdMember(members.Count, offset, compression, end - offset, decoder.UncompressedLength, count));
            offset = end;
        }

        if (members.Count == 0)
        {
            throw new InvalidCpioException(_input, "offset 0", "the initrd holds no archive (empty or only zero bytes)");
        }

        return members;
    }

    private long SkipZeros(long offset, long length)
    {
        _initrd.Position = offset;
        var buffer = new byte[4096];
        while (offset < length)
        {
            var read = _initrd.Read(buffer, 0, (int)Math.Min(buffer.Length, length - offset));
            if (read == 0)
            {
                return length;
            }

            var firstNonZero = buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0);
            if (firstNonZero >= 0)
            {
                return offset + firstNonZero;
            }

            offset += read;
        }

        return offset;
    }

    private static bool DefaultKeep(CpioHeader header) =>
        header.FileSize <= 64 * 1024 && (header.Name.StartsWith("etc/", StringComparison.Ordinal) || header.Name is "version" or "usr/lib/os-release");
}
