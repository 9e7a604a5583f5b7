using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.BaseIsos;

/// <summary>
/// What decoding a base initrd found (every path's header, symlink targets, the kept file bytes), stored
/// under the sha256 of the initrd's bytes, so a later build from the same base does not decode the
/// base again: the legacy-lzma decode is most of a native build's time. The file is a
/// <see cref="ChecksummedFile"/>: one that is unreadable, truncated or altered is a miss (decoded and
/// written again), never trusted.
/// </summary>
internal sealed class BaseIndexCache(string directory)
{
    /// <summary>Changes whenever the file format or the rule choosing the kept bytes changes.</summary>
    private const string FormatTag = "B2IK-BASE-INDEX-2";

    /// <summary>Bounds that no real initrd reaches: a corrupt count must not turn into a huge allocation.</summary>
    private const int MaxEntries = 4_000_000;
    private const int MaxMembers = 4096;

    public string Directory { get; } = directory;

    /// <summary>The stored index for <paramref name="key"/>, or null when there is none or it does not check out.</summary>
    public InitrdContents? TryLoad(string key)
    {
        if (ChecksummedFile.TryRead(PathOf(key)) is not { } payload)
        {
            return null;
        }

        try
        {
            return Parse(payload);
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            // The checksum matched, so this is another version's layout: decode again.
            return null;
        }
    }

    /// <summary>Stores the index atomically; a cache that cannot be written only costs the next build a decode.</summary>
    /// <param name="initrdLength">The initrd's length in bytes: a later initrd that starts with these bytes (a build
    /// that appended a member to this base) finds the index by <see cref="FindPrefix"/>.</param>
    public bool TryStore(string key, InitrdContents contents, long initrdLength)
    {
        ArgumentNullException.ThrowIfNull(contents);
        if (!ChecksummedFile.TryWrite(PathOf(key), Serialize(contents)))
        {
            return false;
        }

        RememberLength(key, initrdLength);
        return true;
    }

    /// <summary>Notes the length of the initrd stored under <paramref name="key"/>, for <see cref="FindPrefix"/>.</summary>
    public void RememberLength(string key, long initrdLength)
    {
        try
        {
            File.WriteAllBytes(Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $"{key}.{initrdLength}{PrefixMarker}")), []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without the marker only the prefix lookup misses.
        }
    }

    /// <summary>
    /// The sha256 of the whole initrd, and the longest stored base whose bytes it starts with (its length and key),
    /// found in one read: an ISO this toolkit built by appending to a known base is listed from that base's index
    /// plus a decode of the appended member only.
    /// </summary>
    public (string Key, (long Length, string Key)? Prefix) FindPrefix(Stream initrd)
    {
        ArgumentNullException.ThrowIfNull(initrd);
        var length = initrd.Length;
        var candidates = KnownBases().Where(b => b.Length < length).OrderBy(b => b.Length).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long position = 0;
        (long, string)? prefix = null;
        foreach (var (baseLength, baseKey) in candidates.Append((length, "")))
        {
            while (position < baseLength)
            {
                var read = initrd.Read(buffer, 0, (int)Math.Min(buffer.Length, baseLength - position));
                if (read == 0)
                {
                    throw new EndOfStreamException("the initrd ended before its length");
                }

                hash.AppendData(buffer, 0, read);
                position += read;
            }

            if (baseKey.Length > 0 && Convert.ToHexStringLower(hash.GetCurrentHash()) == baseKey)
            {
                prefix = (baseLength, baseKey);
            }
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), prefix);
    }

    private const string PrefixMarker = ".length";

    private IEnumerable<(long Length, string Key)> KnownBases()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            yield break;
        }

        foreach (var marker in System.IO.Directory.EnumerateFiles(Directory, "*" + PrefixMarker))
        {
            var parts = Path.GetFileName(marker).Split('.');
            if (parts.Length == 3 && parts[0].Length == 64 && parts[0].All(char.IsAsciiHexDigitLower)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                yield return (length, parts[0]);
            }
        }
    }

    private string PathOf(string key) =>
        key.Length == 64 && key.All(char.IsAsciiHexDigitLower)
            ? Path.Combine(Directory, key + ".index")
            : throw new ArgumentException($"'{key}' is not a lowercase sha256", nameof(key));

    private static byte[] Serialize(InitrdContents contents)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatTag);
            writer.Write(contents.Members.Count);
            foreach (var m in contents.Members)
            {
                writer.Write(m.Index);
                writer.Write(m.Offset);
                writer.Write((int)m.Compression);
                writer.Write(m.CompressedLength);
                writer.Write(m.UncompressedLength);
                writer.Write(m.EntryCount);
            }

            writer.Write(contents.Entries.Count);
            foreach (var e in contents.Entries)
            {
                var h = e.Header;
                writer.Write(e.Path);
                writer.Write(h.Name);
                writer.Write(h.Mode);
                writer.Write(h.Inode);
                writer.Write(h.Uid);
                writer.Write(h.Gid);
                writer.Write(h.LinkCount);
                writer.Write(h.ModificationTime);
                writer.Write(h.FileSize);
                writer.Write(h.DevMajor);
                writer.Write(h.DevMinor);
                writer.Write(h.RDevMajor);
                writer.Write(h.RDevMinor);
                writer.Write(h.Checksum);
                writer.Write(h.HasChecksum);
                writer.Write(e.SymlinkTarget is not null);
                if (e.SymlinkTarget is not null)
                {
                    writer.Write(e.SymlinkTarget);
                }

                writer.Write(e.MemberIndex);
                writer.Write(e.Data?.Length ?? -1);
                if (e.Data is not null)
                {
                    writer.Write(e.Data);
                }
            }
        }

        return buffer.ToArray();
    }

    private static InitrdContents Parse(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        if (reader.ReadString() != FormatTag)
        {
            throw new InvalidDataException("another index format");
        }

        var members = new InitrdMember[Count(reader.ReadInt32(), MaxMembers)];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = new InitrdMember(reader.ReadInt32(), reader.ReadInt64(), (InitrdCompression)reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32());
        }

        var entries = new InitrdEntry[Count(reader.ReadInt32(), MaxEntries)];
        for (var i = 0; i < entries.Length; i++)
        {
            var path = reader.ReadString();
            var header = new CpioHeader
            {
                Name = reader.ReadString(),
                Mode = reader.ReadInt32(),
                Inode = reader.ReadInt64(),
                Uid = reader.ReadInt32(),
                Gid = reader.ReadInt32(),
                LinkCount = reader.ReadInt32(),
                ModificationTime = reader.ReadInt64(),
                FileSize = reader.ReadInt64(),
                DevMajor = reader.ReadInt32(),
                DevMinor = reader.ReadInt32(),
                RDevMajor = reader.ReadInt32(),
                RDevMinor = reader.ReadInt32(),
                Checksum = reader.ReadUInt32(),
                HasChecksum = reader.ReadBoolean(),
            };
            var target = reader.ReadBoolean() ? reader.ReadString() : null;
            var member = reader.ReadInt32();
            var length = reader.ReadInt32();
            var data = length < 0 ? null : reader.ReadBytes(Count(length, (int)(reader.BaseStream.Length - reader.BaseStream.Position)));
            entries[i] = new InitrdEntry(path, header, target, member, data);
        }

        if (reader.BaseStream.Position != reader.BaseStream.Length)
        {
            throw new InvalidDataException("bytes after the last entry");
        }

        return new InitrdContents(members, entries);
    }

    private static int Count(int value, int max) =>
        value >= 0 && value <= max ? value : throw new InvalidDataException($"count {value} is out of range");
}
