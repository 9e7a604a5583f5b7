using System.Buffers.Binary;

namespace Boot2IsoKit.Tests.Fuzz;

/// <summary>A byte range of a seed where the reader's structures live; mutations prefer these.</summary>
internal readonly record struct FuzzRegion(int Start, int Length);

/// <summary>One valid input to mutate, with the regions worth aiming at (empty: the whole input).</summary>
internal sealed record FuzzSeed(string Name, byte[] Bytes, IReadOnlyList<FuzzRegion> Focus)
{
    public FuzzSeed(string name, byte[] bytes)
        : this(name, bytes, [])
    {
    }
}

/// <summary>
/// Deterministic mutations of valid seeds. Case <c>n</c> of a campaign depends only on the campaign seed and
/// <c>n</c>, so a failure is reproduced by its case number alone. Each case stacks one to three operations
/// chosen from those that break binary formats in practice: bit flips, boundary bytes, boundary 32-bit
/// integers in either byte order, ASCII digit changes (cpio and ar headers are text), truncation, deleted
/// or duplicated chunks, and splices from another seed.
/// </summary>
internal sealed class Mutator(IReadOnlyList<FuzzSeed> seeds, int campaignSeed)
{
    private static readonly byte[] BoundaryBytes = [0x00, 0xFF, 0x7F, 0x80];

    // Values that overflow signed/unsigned arithmetic, claim the whole address space, or are off by one.
    private static readonly uint[] BoundaryInts = [0, 1, 0x7F, 0x80, 0xFF, 0x800, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];

    private static readonly byte[] Digits = "0123456789ABCDEFabcdef"u8.ToArray();

    public (byte[] Input, string Description) Case(int index)
    {
        // Random(int) is the seeded, platform-stable generator: the same case on every machine.
        var random = new Random(unchecked((campaignSeed * 7919) + index));
        var seed = seeds[random.Next(seeds.Count)];
        var data = new List<byte>(seed.Bytes);
        var steps = new List<string>();
        var operations = 1 + random.Next(3);
        for (var i = 0; i < operations && data.Count > 0; i++)
        {
            steps.Add(Apply(data, seed, random));
        }

        return ([.. data], $"case {index}: seed {seed.Name}: {string.Join("; ", steps)}");
    }

    private string Apply(List<byte> data, FuzzSeed seed, Random random)
    {
        var at = Position(data.Count, seed, random);
        switch (random.Next(10))
        {
            case 0:
            case 1:
                var bit = random.Next(8);
                data[at] ^= (byte)(1 << bit);
                return $"flip bit {bit} at {at}";
            case 2:
                var value = BoundaryBytes[random.Next(BoundaryBytes.Length)];
                data[at] = value;
                return $"byte 0x{value:X2} at {at}";
            case 3:
                return BoundaryInt(data, at, random);
            case 4:
                var digit = Digits[random.Next(Digits.Length)];
                data[at] = digit;
                return $"digit '{(char)digit}' at {at}";
            case 5:
                data.RemoveRange(at, data.Count - at);
                return $"truncate to {at}";
            case 6:
                var deleted = Math.Min(ChunkLength(random), data.Count - at);
                data.RemoveRange(at, deleted);
                return $"delete {deleted} at {at}";
            case 7:
                var length = Math.Min(ChunkLength(random), data.Count - at);
                var to = random.Next(data.Count + 1);
                data.InsertRange(to, data.GetRange(at, length));
                return $"duplicate {length} from {at} to {to}";
            case 8:
                return Splice(data, at, random);
            default:
                var count = 1 + random.Next(8);
                for (var k = 0; k < count; k++)
                {
                    data[Position(data.Count, seed, random)] = (byte)random.Next(256);
                }

                return $"{count} random bytes near {at}";
        }
    }

    private static string BoundaryInt(List<byte> data, int at, Random random)
    {
        if (data.Count < 4)
        {
            data[at] = 0xFF;
            return $"byte 0xFF at {at}";
        }

        // Most fields are aligned; an unaligned write also straddles two fields.
        at = Math.Min(random.Next(2) == 0 ? at & ~3 : at, data.Count - 4);
        var value = BoundaryInts[random.Next(BoundaryInts.Length)];
        var bigEndian = random.Next(2) == 0;
        Span<byte> bytes = stackalloc byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        }

        for (var k = 0; k < 4; k++)
        {
            data[at + k] = bytes[k];
        }

        return $"u32 0x{value:X} {(bigEndian ? "BE" : "LE")} at {at}";
    }

    /// <summary>Copies a chunk of another seed (or of this one) over the input: valid structure in the wrong place.</summary>
    private string Splice(List<byte> data, int at, Random random)
    {
        var donor = seeds[random.Next(seeds.Count)];
        var from = random.Next(donor.Bytes.Length);
        var length = Math.Min(ChunkLength(random), donor.Bytes.Length - from);
        for (var k = 0; k < length; k++)
        {
            if (at + k < data.Count)
            {
                data[at + k] = donor.Bytes[from + k];
            }
            else
            {
                data.Add(donor.Bytes[from + k]);
            }
        }

        return $"splice {length} from {donor.Name}@{from} at {at}";
    }

    /// <summary>Mostly small chunks (one field, one header), sometimes a whole block.</summary>
    private static int ChunkLength(Random random) => random.Next(4) == 0 ? 1 + random.Next(4096) : 1 + random.Next(64);

    /// <summary>Three times in four inside a focus region of the seed, otherwise anywhere.</summary>
    private static int Position(int length, FuzzSeed seed, Random random)
    {
        if (seed.Focus.Count > 0 && random.Next(4) != 0)
        {
            var region = seed.Focus[random.Next(seed.Focus.Count)];
            var position = region.Start + random.Next(Math.Max(1, region.Length));
            if (position < length)
            {
                return position;
            }
        }

        return random.Next(length);
    }
}
