using System.Text;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// The fields of a suite's Packages file that an index keeps, stored beside the downloaded Packages.xz
/// (named by its sha256): a later build reads it instead of decompressing and parsing 45 MB of text
/// again, about 2 of the 6 seconds of a repeat build that injects a package. It keeps only the names of
/// its ~60,000 records as strings and reads a record when the build asks for it: holding all of them
/// was ~50 MB a suite.
/// </summary>
internal static class PackagesIndexFile
{
    private const string FormatTag = "B2IK-PACKAGES-INDEX-1";
    private const int MaxPackages = 10_000_000;

    /// <summary>
    /// The kept index, or null when it is absent, damaged or of another layout. Only the names (and versions and
    /// Provides where the index needs them) are read now; a record is read when the build asks for it.
    /// </summary>
    public static IPackageRecords? TryRead(string path)
    {
        if (ChecksummedFile.TryReadPayload(path) is not { } payload)
        {
            return null;
        }

        try
        {
            var reader = new FieldReader(payload);
            if (reader.String() != FormatTag)
            {
                return null;
            }

            var count = reader.Int32();
            if (count < 0 || count > MaxPackages)
            {
                return null;
            }

            // One pass over the framing checks every record; only each name is kept as a string.
            var offsets = new int[count];
            var names = new string[count];
            for (var i = 0; i < count; i++)
            {
                offsets[i] = reader.Position;
                names[i] = reader.String();
                reader.SkipStrings(5); // version, architecture, depends, pre-depends, provides
                reader.Boolean(); // essential
                reader.SkipOptionalString(); // filename
                reader.SkipOptionalString(); // sha256
                if (reader.Boolean())
                {
                    reader.Skip(sizeof(long));
                }
            }

            return reader.Position == payload.Length ? new KeptRecords(payload, offsets, names) : null;
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            // A matching checksum over another layout: parse the Packages file again.
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

    /// <summary>The records of a kept index, each read from its offset when first asked for.</summary>
    private sealed class KeptRecords(ReadOnlyMemory<byte> payload, int[] offsets, string[] names) : IPackageRecords
    {
        private readonly DebianPackageInfo?[] _read = new DebianPackageInfo?[offsets.Length];

        public int Count => offsets.Length;

        public string Name(int index) => names[index];

        public string Version(int index) => _read[index]?.Version ?? At(index, skip: 0).String();

        public string Provides(int index) => _read[index]?.Provides ?? At(index, skip: 4).String();

        public DebianPackageInfo Get(int index)
        {
            if (_read[index] is { } read)
            {
                return read;
            }

            var reader = At(index, skip: 0);
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

        /// <summary>A reader at the record's field after the name and <paramref name="skip"/> more strings.</summary>
        private FieldReader At(int index, int skip)
        {
            var reader = new FieldReader(payload) { Position = offsets[index] };
            reader.SkipStrings(1 + skip);
            return reader;
        }
    }

    /// <summary>Reads what <see cref="BinaryWriter"/> wrote (7-bit length-prefixed UTF-8 strings, little-endian numbers), skipping without allocating.</summary>
    private struct FieldReader(ReadOnlyMemory<byte> payload)
    {
        public int Position { get; set; }

        public string String() => Encoding.UTF8.GetString(Take(Length()));

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

        public bool Boolean() => Take(1)[0] switch
        {
            0 => false,
            1 => true,
            var b => throw new InvalidDataException($"a boolean byte {b} at offset {Position - 1}"),
        };

        public int Int32() => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int)));

        public long Int64() => System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));

        public void Skip(int count) => Take(count);

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > payload.Length - Position)
            {
                throw new EndOfStreamException($"{count} bytes at offset {Position} reach past the end ({payload.Length} bytes)");
            }

            var span = payload.Span.Slice(Position, count);
            Position += count;
            return span;
        }

        /// <summary>A 7-bit encoded string length, as BinaryWriter writes it (at most five bytes).</summary>
        private int Length()
        {
            var value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = Take(1)[0];
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
