using System.Buffers.Binary;
using System.Text;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// The fields of a suite's Packages file that an index keeps, stored beside the downloaded Packages.xz
/// (named by its sha256): a later build reads it instead of decompressing and parsing 45 MB of text
/// again, about 2 of the 6 seconds of a repeat build that injects a package. The file stays on disk: a
/// build keeps only the names of its ~60,000 records (and the few Provides fields) and reads a record from
/// its offset when it asks for it. Holding all records was ~50 MB a suite, holding the file ~20 MB.
/// </summary>
internal static class PackagesIndexFile
{
    private const string FormatTag = "B2IK-PACKAGES-INDEX-1";
    private const int MaxPackages = 10_000_000;

    /// <summary>
    /// The kept index, or null when it is absent, damaged or of another layout. Only the names and the Provides
    /// fields are read now; a record is read from the file when the build asks for it.
    /// </summary>
    public static IPackageRecords? TryRead(string path)
    {
        // The checksum is checked over the whole file first, so the scan below reads trusted bytes.
        if (ChecksummedFile.VerifiedPayloadLength(path) is not { } payloadLength || payloadLength > int.MaxValue)
        {
            return null;
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var reader = new FieldReader(file, payloadLength);
            if (reader.String() != FormatTag)
            {
                return null;
            }

            var count = reader.Int32();
            if (count < 0 || count > MaxPackages)
            {
                return null;
            }

            // One pass over the framing checks every record; each name is kept, and Provides where a record has one
            // (a few thousand of a suite's records: the index asks for every one of them).
            var offsets = new int[count];
            var names = new string[count];
            var provides = new Dictionary<int, string>();
            for (var i = 0; i < count; i++)
            {
                offsets[i] = (int)reader.Position;
                names[i] = reader.String();
                reader.SkipStrings(4); // version, architecture, depends, pre-depends
                if (reader.String() is { Length: > 0 } provided)
                {
                    provides[i] = provided;
                }

                reader.Boolean(); // essential
                reader.SkipOptionalString(); // filename
                reader.SkipOptionalString(); // sha256
                if (reader.Boolean())
                {
                    reader.Skip(sizeof(long));
                }
            }

            return reader.Position == payloadLength ? new KeptRecords(path, payloadLength, offsets, names, provides) : null;
        }
        catch (Exception e) when (MalformedInput.Is(e) || e is IOException or UnauthorizedAccessException)
        {
            // A matching checksum over another layout, or a file gone unreadable: parse the Packages file again.
            return null;
        }
    }

    public static void TryWrite(string path, IReadOnlyCollection<DebianPackageInfo> packages)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatTag);
            writer.Write(packages.Count);
            foreach (var p in packages)
            {
                writer.Write(p.Name);
                writer.Write(p.Version);
                writer.Write(p.Architecture);
                writer.Write(p.Depends);
                writer.Write(p.PreDepends);
                writer.Write(p.Provides);
                writer.Write(p.Essential);
                WriteOptional(writer, p.Filename);
                WriteOptional(writer, p.Sha256);
                writer.Write(p.Size.HasValue);
                if (p.Size is { } size)
                {
                    writer.Write(size);
                }
            }
        }

        ChecksummedFile.TryWrite(path, buffer.ToArray());
    }

    /// <summary>
    /// The records of a kept index, each read from its offset in the file when first asked for. The file is named by
    /// the sha256 of the Packages file it was made from and only ever replaced atomically by the same bytes, so the
    /// offsets found when it was checked stay valid; a file that is gone or changed in length is an I/O error.
    /// </summary>
    private sealed class KeptRecords(string path, long payloadLength, int[] offsets, string[] names, Dictionary<int, string> provides) : IPackageRecords
    {
        private readonly DebianPackageInfo?[] _read = new DebianPackageInfo?[offsets.Length];

        public int Count => offsets.Length;

        public string Name(int index) => names[index];

        // Asked for only where one name has several records (local directories), never for a mirror's whole suite.
        public string Version(int index) => _read[index]?.Version ?? Get(index).Version;

        public string Provides(int index) => provides.GetValueOrDefault(index, string.Empty);

        public DebianPackageInfo Get(int index)
        {
            if (_read[index] is { } read)
            {
                return read;
            }

            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
            if (file.Length != payloadLength + ChecksummedFile.HashLength)
            {
                throw new IOException($"{path} changed while the build was reading it");
            }

            file.Position = offsets[index];
            var reader = new FieldReader(file, payloadLength);
            reader.SkipStrings(1); // the name, already known
            return _read[index] = new DebianPackageInfo
            {
                Name = names[index],
                Version = reader.String(),
                Architecture = reader.String(),
                Depends = reader.String(),
                PreDepends = reader.String(),
                Provides = reader.String(),
                Essential = reader.Boolean(),
                Filename = reader.OptionalString(),
                Sha256 = reader.OptionalString(),
                Size = reader.Boolean() ? reader.Int64() : null,
            };
        }
    }

    /// <summary>
    /// Reads what <see cref="BinaryWriter"/> wrote (7-bit length-prefixed UTF-8 strings, little-endian numbers) from a
    /// stream, never past the payload's end (the checksum after it is not data); skipped strings are not decoded.
    /// </summary>
    private readonly struct FieldReader(Stream stream, long payloadLength)
    {
        public long Position => stream.Position;

        public string String()
        {
            var length = Length();
            Check(length);
            var bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
            stream.ReadExactly(bytes);
            return Encoding.UTF8.GetString(bytes);
        }

        public string? OptionalString() => Boolean() ? String() : null;

        public void SkipStrings(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Skip(Length());
            }
        }

        public void SkipOptionalString()
        {
            if (Boolean())
            {
                SkipStrings(1);
            }
        }

        public bool Boolean() => Byte() switch
        {
            0 => false,
            1 => true,
            var b => throw new InvalidDataException($"a boolean byte {b} at offset {Position - 1}"),
        };

        public int Int32()
        {
            Span<byte> bytes = stackalloc byte[sizeof(int)];
            Check(bytes.Length);
            stream.ReadExactly(bytes);
            return BinaryPrimitives.ReadInt32LittleEndian(bytes);
        }

        public long Int64()
        {
            Span<byte> bytes = stackalloc byte[sizeof(long)];
            Check(bytes.Length);
            stream.ReadExactly(bytes);
            return BinaryPrimitives.ReadInt64LittleEndian(bytes);
        }

        public void Skip(int count)
        {
            Check(count);
            stream.Seek(count, SeekOrigin.Current);
        }

        private int Byte()
        {
            Check(1);
            return stream.ReadByte();
        }

        private void Check(int count)
        {
            if (count < 0 || count > payloadLength - Position)
            {
                throw new EndOfStreamException($"{count} bytes at offset {Position} reach past the end ({payloadLength} bytes)");
            }
        }

        /// <summary>A 7-bit encoded string length, as BinaryWriter writes it (at most five bytes).</summary>
        private int Length()
        {
            var value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = Byte();
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new InvalidDataException($"a string length longer than five bytes before offset {Position}");
        }
    }

    private static void WriteOptional(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }
}
