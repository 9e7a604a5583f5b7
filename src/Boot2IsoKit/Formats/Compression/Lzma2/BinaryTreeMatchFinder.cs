using System.Buffers.Binary;
using System.Numerics;

namespace Boot2IsoKit.Formats.Compression.Lzma2;

/// <summary>
/// Finds earlier occurrences of the bytes at a position within the dictionary, the way xz's "bt4" does:
/// the most recent position with the same two bytes, the same three (hashed), and a binary search tree
/// per hash of four bytes, whose nodes are the earlier positions ordered by the bytes that follow them.
/// One walk down the tree finds the longest matches and re-links the tree with the new position as its
/// root. It reports, for each new longest length, the nearest distance seen, so lengths grow.
/// Every position of the block is given to <see cref="Find"/> or <see cref="Skip"/> once, in order.
/// </summary>
internal sealed class BinaryTreeMatchFinder
{
    private const int Hash3Bits = 16;
    private const int Hash4Bits = 21;

    private readonly byte[] _data;
    private readonly int _length;
    private readonly int _dictionarySize;
    private readonly int _depth;
    private readonly int _niceLength;

    // Positions are stored plus one, so a new table means "none". Not pooled: the shared pool would keep a
    // tree of 64 MiB per thread that ever encoded a block. _tree holds two children per
    // position of a ring as long as the dictionary (or the data): [2p] the smaller side, [2p+1] the larger.
    private readonly int[] _head2;
    private readonly int[] _head3;
    private readonly int[] _head4;
    private readonly int[] _tree;
    private readonly int _ring;

    /// <param name="dictionarySize">A power of two: the tree is a ring of that many positions.</param>
    /// <param name="depth">Tree nodes visited per position at most.</param>
    /// <param name="niceLength">A match this long ends the search (it is then measured to its end).</param>
    public BinaryTreeMatchFinder(byte[] data, int length, int dictionarySize, int depth, int niceLength)
    {
        if (!int.IsPow2(dictionarySize))
        {
            throw new ArgumentOutOfRangeException(nameof(dictionarySize), dictionarySize, "not a power of two");
        }

        (_data, _length, _dictionarySize, _depth, _niceLength) = (data, length, dictionarySize, depth, niceLength);
        _ring = Math.Min(dictionarySize, Math.Max(16, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, length))));
        _head2 = new int[1 << 16];
        _head3 = new int[1 << Hash3Bits];
        _head4 = new int[1 << Hash4Bits];
        _tree = new int[2 * _ring];
    }

    /// <summary>
    /// Records the matches at <paramref name="position"/> (lengths strictly growing, up to 273 or the end of
    /// the data, distances 0-based as LZMA codes them) and returns how many; the position joins the tree.
    /// </summary>
    public int Find(int position, Span<int> lengths, Span<int> distances) => Search(position, lengths, distances, record: true);

    /// <summary>Puts a position into the tree without reporting matches (inside a match already chosen).</summary>
    public void Skip(int position) => Search(position, [], [], record: false);

    private int Search(int position, Span<int> lengths, Span<int> distances, bool record)
    {
        var available = _length - position;
        if (available < 4)
        {
            return 0;
        }

        var maxLength = Math.Min(LengthCoder.MaxLength, available);
        var limit = Math.Min(_niceLength, maxLength);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(position, 4));
        var hash2 = (int)(value & 0xFFFF);
        var hash3 = (int)(((value & 0xFFFFFF) * 2654435761u) >> (32 - Hash3Bits));
        var hash4 = (int)((value * 2654435761u) >> (32 - Hash4Bits));
        var (candidate2, candidate3, candidate) = (_head2[hash2] - 1, _head3[hash3] - 1, _head4[hash4] - 1);
        _head2[hash2] = _head3[hash3] = _head4[hash4] = position + 1;

        var count = 0;
        var best = 1;
        var here = _data.AsSpan(position, maxLength);
        if (record)
        {
            if (candidate2 >= 0 && position - candidate2 < _dictionarySize)
            {
                Consider(here, _data.AsSpan(candidate2, maxLength), position - candidate2 - 1, lengths, distances, ref count, ref best);
            }

            if (candidate3 >= 0 && candidate3 != candidate2 && position - candidate3 < _dictionarySize)
            {
                Consider(here, _data.AsSpan(candidate3, maxLength), position - candidate3 - 1, lengths, distances, ref count, ref best);
            }
        }

        // Down the tree: each visited node goes to the side of the new position it sorts on, and the
        // common prefix known on each side (smallerLength, largerLength) lets the compare start past it.
        var mask = _ring - 1;
        var window = Math.Min(_dictionarySize, _ring);
        var smallerSlot = 2 * (position & mask);
        var largerSlot = smallerSlot + 1;
        var (smallerLength, largerLength) = (0, 0);
        for (var steps = 0; ; steps++)
        {
            if (candidate < 0 || steps == _depth || position - candidate >= window)
            {
                _tree[smallerSlot] = _tree[largerSlot] = 0;
                break;
            }

            var pair = 2 * (candidate & mask);
            var length = Math.Min(smallerLength, largerLength);
            if (_data[candidate + length] == here[length])
            {
                length += 1 + here[(length + 1)..limit].CommonPrefixLength(_data.AsSpan(candidate + length + 1, limit - length - 1));
                if (record && length > best)
                {
                    // At the nice length the search ends: measure this match to its real end.
                    var full = length == limit ? here.CommonPrefixLength(_data.AsSpan(candidate, maxLength)) : length;
                    lengths[count] = full;
                    distances[count] = position - candidate - 1;
                    count++;
                    best = full;
                }

                if (length == limit)
                {
                    // The candidate equals the new position as far as the tree sorts: it takes its place.
                    _tree[smallerSlot] = _tree[pair];
                    _tree[largerSlot] = _tree[pair + 1];
                    break;
                }
            }

            if (_data[candidate + length] < here[length])
            {
                _tree[smallerSlot] = candidate + 1;
                smallerSlot = pair + 1;
                candidate = _tree[smallerSlot] - 1;
                smallerLength = length;
            }
            else
            {
                _tree[largerSlot] = candidate + 1;
                largerSlot = pair;
                candidate = _tree[largerSlot] - 1;
                largerLength = length;
            }
        }

        return count;
    }

    /// <summary>Records the match with the earlier position when it is longer than the best so far.</summary>
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

}
