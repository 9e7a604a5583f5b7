namespace Boot2IsoKit.Formats.Iso9660.RockRidge;

/// <summary>
/// Places System Use entries that do not fit a directory record into Continuation Areas. An area never
/// crosses a block boundary (Linux fs/isofs requires offset + length ≤ 2048); areas chain with CE.
/// Blocks are numbered from 0 here and get their LBA when the layout knows where the region starts.
/// </summary>
internal sealed class ContinuationAreas
{
    private const int BlockSize = 2048;
    private readonly List<Piece> _pieces = [];
    private int _blocks;
    private int _used = BlockSize;

    /// <summary>One continuation area: entries, then a CE to <see cref="Next"/> if the chain goes on.</summary>
    internal sealed class Piece(int block, int offset, List<SuspEntry> entries)
    {
        public int Block { get; } = block;

        public int Offset { get; } = offset;

        public List<SuspEntry> Entries { get; } = entries;

        public Piece? Next { get; set; }

        public int Length => Entries.Sum(e => e.Length) + (Next is null ? 0 : RockRidgeEntries.ContinuationLength);
    }

    public int BlockCount => _blocks;

    /// <summary>
    /// Splits entries between the record (at most <paramref name="space"/> bytes) and continuation
    /// areas. Returns the entries that stay in the record and the first area, if any.
    /// </summary>
    public (List<SuspEntry> InRecord, Piece? First) Place(IReadOnlyList<SuspEntry> entries, int space)
    {
        var total = entries.Sum(e => e.Length);
        if (total <= space)
        {
            return ([.. entries], null);
        }

        var inRecord = new List<SuspEntry>();
        var used = 0;
        var index = 0;
        while (index < entries.Count && used + entries[index].Length + RockRidgeEntries.ContinuationLength <= space)
        {
            used += entries[index].Length;
            inRecord.Add(entries[index++]);
        }

        Piece? first = null;
        Piece? previous = null;
        while (index < entries.Count)
        {
            var remaining = entries.Skip(index).Sum(e => e.Length);
            var chunk = new List<SuspEntry>();
            var size = 0;
            if (remaining <= BlockSize)
            {
                chunk.AddRange(entries.Skip(index));
                size = remaining;
                index = entries.Count;
            }
            else
            {
                while (size + entries[index].Length + RockRidgeEntries.ContinuationLength <= BlockSize)
                {
                    size += entries[index].Length;
                    chunk.Add(entries[index++]);
                }

                size += RockRidgeEntries.ContinuationLength;
            }

            if (_used + size > BlockSize)
            {
                _blocks++;
                _used = 0;
            }

            var piece = new Piece(_blocks - 1, _used, chunk);
            _used += size;
            _pieces.Add(piece);
            if (previous is null)
            {
                first = piece;
            }
            else
            {
                previous.Next = piece;
            }

            previous = piece;
        }

        return (inRecord, first);
    }

    /// <summary>Writes all areas into their blocks, CE entries pointing at <paramref name="firstLba"/> + block.</summary>
    public void WriteBlocks(uint firstLba, Action<ReadOnlySpan<byte>> writeBlock)
    {
        var buffer = new byte[BlockSize];
        var pieceIndex = 0;
        for (var block = 0; block < _blocks; block++)
        {
            Array.Clear(buffer);
            for (; pieceIndex < _pieces.Count && _pieces[pieceIndex].Block == block; pieceIndex++)
            {
                var piece = _pieces[pieceIndex];
                var position = piece.Offset;
                foreach (var entry in piece.Entries)
                {
                    entry.Bytes.CopyTo(buffer, position);
                    position += entry.Length;
                }

                if (piece.Next is { } next)
                {
                    Continuation(firstLba, next).Bytes.CopyTo(buffer, position);
                }
            }

            writeBlock(buffer);
        }
    }

    public static SuspEntry Continuation(uint firstLba, Piece piece) =>
        RockRidgeEntries.Continuation(firstLba + (uint)piece.Block, (uint)piece.Offset, (uint)piece.Length);
}
