using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Boot2IsoKit.Formats.Compression.Lzma2;

/// <summary>
/// Finds earlier occurrences of the bytes at a position within the dictionary: the most recent position
/// with the same two bytes, the same three (hashed), and a chain of positions with the same four (hashed),
/// walked nearest first to a fixed depth. It reports, for each new longest length, the nearest distance,
/// so lengths grow and every distance is the cheapest known for its length. Every position of the block
/// is given to <see cref="Find"/> or <see cref="Skip"/> once, in order.
/// </summary>
internal sealed class HashChainMatchFinder : IDisposable
{
    private const int Hash3Bits = 16;
    private const int Hash4Bits = 21;

    private readonly byte[] _data;
    private readonly int _length;
    private readonly int _dictionarySize;
    private readonly int _depth;
    private readonly int _niceLength;

    // Positions are stored plus one, so a cleared table means "none".
    private readonly int[] _head2;
    private readonly int[] _head3;
    private readonly int[] _head4;
    private readonly int[] _chain;

    /// <param name="dictionarySize">A power of two: the chain is a ring of that many positions.</param>
    public HashChainMatchFinder(byte[] data, int length, int dictionarySize, int depth, int niceLength)
    {
        if (!int.IsPow2(dictionarySize))
        {
            throw new ArgumentOutOfRangeException(nameof(dictionarySize), dictionarySize, "not a power of two");
        }

        (_data, _length, _dictionarySize, _depth, _niceLength) = (data, length, dictionarySize, depth, niceLength);
        _head2 = Rent(1 << 16);
        _head3 = Rent(1 << Hash3Bits);
        _head4 = Rent(1 << Hash4Bits);
        _chain = Rent(Math.Min(dictionarySize, Math.Max(16, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, length)))));
    }

    /// <summary>
    /// Records the matches at <paramref name="position"/> (lengths strictly growing, up to 273 or the end of
    /// the data, distances 0-based as LZMA codes them) and returns how many; then remembers the position.
    /// </summary>
    public int Find(int position, Span<int> lengths, Span<int> distances)
    {
        var available = _length - position;
        if (available < 4)
        {
            return 0;
        }

        var maxLength = Math.Min(LengthCoder.MaxLength, available);
        var (candidate2, candidate3, candidate4) = Insert(position);
        var here = _data.AsSpan(position, maxLength);
        var count = 0;
        var best = 1;

        if (candidate2 >= 0 && position - candidate2 < _dictionarySize)
        {
            Consider(here, _data.AsSpan(candidate2, maxLength), position - candidate2 - 1, lengths, distances, ref count, ref best);
        }

        if (candidate3 >= 0 && candidate3 != candidate2 && position - candidate3 < _dictionarySize && best < maxLength)
        {
            Consider(here, _data.AsSpan(candidate3, maxLength), position - candidate3 - 1, lengths, distances, ref count, ref best);
        }

        var ring = _chain.Length - 1;
        var window = Math.Min(_dictionarySize, _chain.Length);
        for (var (candidate, steps) = (candidate4, 0); candidate >= 0 && steps < _depth && best < maxLength && best < _niceLength; steps++)
        {
            if (position - candidate >= window)
            {
                break;
            }

            // Only a candidate that beats the best so far matters: its byte at the best length must match.
            if (_data[candidate + best] == here[best])
            {
                Consider(here, _data.AsSpan(candidate, maxLength), position - candidate - 1, lengths, distances, ref count, ref best);
            }

            candidate = _chain[candidate & ring] - 1;
        }

        return count;
    }

    /// <summary>Remembers a position without looking for matches (inside a match already chosen).</summary>
    public void Skip(int position)
    {
        if (_length - position >= 4)
        {
            Insert(position);
        }
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_head2);
        ArrayPool<int>.Shared.Return(_head3);
        ArrayPool<int>.Shared.Return(_head4);
        ArrayPool<int>.Shared.Return(_chain);
    }

    private (int Candidate2, int Candidate3, int Candidate4) Insert(int position)
    {
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(position, 4));
        var hash2 = (int)(value & 0xFFFF);
        var hash3 = (int)(((value & 0xFFFFFF) * 2654435761u) >> (32 - Hash3Bits));
        var hash4 = (int)((value * 2654435761u) >> (32 - Hash4Bits));
        var candidates = (_head2[hash2] - 1, _head3[hash3] - 1, _head4[hash4] - 1);
        _head2[hash2] = position + 1;
        _head3[hash3] = position + 1;
        _chain[position & (_chain.Length - 1)] = _head4[hash4];
        _head4[hash4] = position + 1;
        return candidates;
    }

    /// <summary>Records the match with <paramref name="earlier"/> when it is longer than the best so far.</summary>
    private static void Consider(ReadOnlySpan<byte> here, ReadOnlySpan<byte> earlier, int distance, Span<int> lengths, Span<int> distances, ref int count, ref int best)
    {
        var length = here.CommonPrefixLength(earlier);
        if (length > best)
        {
            lengths[count] = length;
            distances[count] = distance;
            count++;
            best = length;
        }
    }

    private static int[] Rent(int size)
    {
        var array = ArrayPool<int>.Shared.Rent(size);
        Array.Clear(array);
        return array;
    }
}
