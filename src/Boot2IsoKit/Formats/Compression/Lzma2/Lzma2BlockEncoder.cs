using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Boot2IsoKit.Formats.Compression.Lzma2;

/// <summary>
/// Encodes one block of data as an LZMA2 stream (the filter of xz's blocks, xz-file-format.txt §5.3.1):
/// LZMA with lc=3 lp=0 pb=2 (xz's defaults), cut into chunks of at most 2 MiB of data and 64 KiB of
/// output. Every chunk restarts the range coder; the model (probabilities, state, rep distances) and the
/// dictionary go on, so the cut costs a few bytes; a chunk that does not shrink is stored instead.
/// </summary>
/// <remarks>
/// The parse is LZMA's "normal" one in spirit: for a window of positions it finds the cheapest path of
/// literals, rep matches and matches under the model's current prices (a shortest path, each node keeping
/// the state and rep distances its best path leaves), and ends the window where every path meets again
/// or a match of <see cref="NiceLength"/> bytes comes. Besides single steps it tries a literal followed by a
/// rep0 match, as LZMA's parser does.
/// </remarks>
internal sealed class Lzma2BlockEncoder
{
    public const int PositionStates = 1 << PositionBits;

    /// <summary>The LZMA2 properties byte for lc=3 lp=0 pb=2: (pb * 5 + lp) * 9 + lc.</summary>
    public const byte Properties = ((PositionBits * 5) + 0) * 9 + LiteralContextBits;

    private const int PositionBits = 2;
    private const int LiteralContextBits = 3;
    private const int LiteralCoderSize = 0x300;

    // The state machine of lzma-specification.txt: states below 7 follow a literal.
    private const int States = 12;
    private const int LiteralStates = 7;

    private const int SlotBits = 6;
    private const int LengthStates = 4;
    private const int StartPositionModel = 4;
    private const int EndPositionModel = 14;
    private const int FullDistances = 1 << (EndPositionModel >> 1);
    private const int AlignBits = 4;

    private const int MaxChunkUnpacked = 2 << 20;
    private const int MaxChunkPacked = 1 << 16;
    private const int MaxUncompressedChunk = 1 << 16;

    /// <summary>Room for the bytes one more symbol can make (about 45 bits, at most 6 per byte out), with some to spare.</summary>
    private const int SymbolMargin = 64;

    /// <summary>"xz -6"'s nice_len: a match this long is taken without looking further.</summary>
    private const int NiceLength = 64;

    /// <summary>
    /// Tree nodes visited per position: xz's own depth for its binary tree at -6 (16 + nice_len / 2). Measured
    /// against "xz -T0 -6" on 403 MiB of a merged rootfs of Debian ELF files: 1.009× its size.
    /// </summary>
    private const int Depth = 48;

    private const int Window = 4096;
    private const int PriceRefresh = 128;

    private const int KindLiteral = 0;
    private const int KindShortRep = 1;
    private const int KindRep = 2; // + the rep index
    private const int KindMatch = 6;
    private const int KindLiteralRep0 = 7; // a literal, then a rep0 match: Length counts both

    private readonly byte[] _data;
    private readonly int _length;
    private readonly Stream _output;
    private readonly BinaryTreeMatchFinder _finder;
    private readonly RangeEncoder _range = new(MaxChunkPacked + 1024);

    private readonly ushort[] _isMatch = new ushort[States << PositionBits];
    private readonly ushort[] _isRep = new ushort[States];
    private readonly ushort[] _isRepG0 = new ushort[States];
    private readonly ushort[] _isRepG1 = new ushort[States];
    private readonly ushort[] _isRepG2 = new ushort[States];
    private readonly ushort[] _isRep0Long = new ushort[States << PositionBits];
    private readonly ushort[] _literal = new ushort[LiteralCoderSize << LiteralContextBits];
    private readonly ushort[] _slot = new ushort[LengthStates << SlotBits];
    private readonly ushort[] _special = new ushort[1 + FullDistances - EndPositionModel];
    private readonly ushort[] _align = new ushort[1 << AlignBits];
    private readonly LengthCoder _matchLength = new();
    private readonly LengthCoder _repLength = new();
    private readonly int[] _reps = new int[4];
    private int _state;

    private readonly int[] _slotPrices = new int[LengthStates << SlotBits];
    private readonly int[] _fullDistancePrices = new int[LengthStates * FullDistances];
    private readonly int[] _alignPrices = new int[1 << AlignBits];
    private int _sinceRefresh = PriceRefresh;

    // The parse window's nodes (see Node), and the rep distances each one's best path leaves.
    private readonly Node[] _nodes = new Node[Window + LengthCoder.MaxLength + 2];
    private readonly int[] _nodeReps = new int[4 * (Window + LengthCoder.MaxLength + 2)];
    private readonly int[] _path = new int[Window + 2];
    private readonly int[] _matchLengths = new int[LengthCoder.MaxLength + 1];
    private readonly int[] _matchDistances = new int[LengthCoder.MaxLength + 1];
    private readonly int[] _repLengths = new int[4];
    private int _end; // nodes up to here have a price (perhaps Infinity) in this window
    private int _furthest; // the furthest node a step reaches: when the parse gets there, every path has met

    private int _chunkStart;
    private int _chunkUnpacked;
    private bool _needDictionaryReset = true;
    private bool _needProperties = true;
    private bool _needStateReset = true;

    private Lzma2BlockEncoder(byte[] data, int length, int dictionarySize, Stream output)
    {
        (_data, _length, _output) = (data, length, output);
        _finder = new BinaryTreeMatchFinder(data, length, dictionarySize, Depth, NiceLength);
        ResetState();
    }

    /// <summary>Writes the LZMA2 stream of data[0..length), end marker included, to <paramref name="output"/>.</summary>
    /// <param name="dictionarySize">A power of two; what the block header announces, so the decoder's dictionary holds every distance used.</param>
    public static void Encode(byte[] data, int length, int dictionarySize, Stream output, CancellationToken cancellationToken = default)
    {
        var encoder = new Lzma2BlockEncoder(data, length, dictionarySize, output);
        var position = 0;
        var checkedAt = 0;
        while (position < length)
        {
            position = encoder.EncodeWindow(position);
            if (position - checkedAt >= 1 << 16)
            {
                cancellationToken.ThrowIfCancellationRequested();
                checkedAt = position;
            }
        }

        if (encoder._chunkUnpacked > 0)
        {
            encoder.EndChunk();
        }

        output.WriteByte(0x00);
    }

    private void ResetState()
    {
        foreach (var probabilities in new[] { _isMatch, _isRep, _isRepG0, _isRepG1, _isRepG2, _isRep0Long, _literal, _slot, _special, _align })
        {
            probabilities.AsSpan().Fill(RangeEncoder.InitialProbability);
        }

        _matchLength.Reset();
        _repLength.Reset();
        _reps.AsSpan().Clear();
        _state = 0;
        _sinceRefresh = PriceRefresh;
    }

    /// <summary>Parses and encodes the window that starts at <paramref name="start"/>; returns where the next one starts.</summary>
    private int EncodeWindow(int start)
    {
        if (_sinceRefresh >= PriceRefresh)
        {
            UpdatePrices();
        }

        _nodes[0].Price = 0;
        _nodes[0].State = _state;
        _reps.CopyTo(_nodeReps, 0);
        (_end, _furthest) = (0, 0);
        var finalEnd = -1;
        var cur = 0;
        for (; cur < Window && (cur == 0 || cur < _furthest); cur++)
        {
            if (cur > 0)
            {
                ArriveAt(cur);
            }

            var taken = Expand(start, cur);
            if (taken > 0)
            {
                finalEnd = cur + taken;
                for (var skipped = start + cur + 1; skipped < start + finalEnd; skipped++)
                {
                    _finder.Skip(skipped);
                }

                break;
            }
        }

        var end = finalEnd >= 0 ? finalEnd : cur;
        var count = 0;
        for (var node = end; node > 0; node = _nodes[node].From)
        {
            _path[count++] = node;
        }

        for (var i = count - 1; i >= 0; i--)
        {
            ref readonly var node = ref _nodes[_path[i]];
            if (node.Kind == KindLiteralRep0)
            {
                EncodeSymbol(start + node.From, KindLiteral, 1, -1);
                EncodeSymbol(start + node.From + 1, KindRep, node.Length - 1, node.Distance);
            }
            else
            {
                EncodeSymbol(start + node.From, node.Kind, node.Length, node.Distance);
            }
        }

        return start + end;
    }

    /// <summary>Sets the state and rep distances the best path into node <paramref name="cur"/> leaves.</summary>
    private void ArriveAt(int cur)
    {
        ref var node = ref _nodes[cur];
        var reps = _nodeReps.AsSpan(cur * 4, 4);
        _nodeReps.AsSpan(node.From * 4, 4).CopyTo(reps);
        var state = _nodes[node.From].State;
        switch (node.Kind)
        {
            case KindLiteral:
                state = AfterLiteral(state);
                break;
            case KindShortRep:
                state = AfterShortRep(state);
                break;
            case KindMatch:
                (reps[3], reps[2], reps[1], reps[0]) = (reps[2], reps[1], reps[0], node.Distance);
                state = AfterMatch(state);
                break;
            case KindLiteralRep0:
                state = AfterRep(AfterLiteral(state));
                break;
            default:
                MoveToFront(reps, node.Kind - KindRep);
                state = AfterRep(state);
                break;
        }

        node.State = state;
    }

    /// <summary>
    /// Offers every way on from node <paramref name="cur"/>. Returns the length of a match long enough to
    /// take at once (it becomes the last step of the window), or 0.
    /// </summary>
    private int Expand(int start, int cur)
    {
        var position = start + cur;
        var maxLength = Math.Min(LengthCoder.MaxLength, _length - position);
        var found = _finder.Find(position, _matchLengths, _matchDistances);
        var reps = _nodeReps.AsSpan(cur * 4, 4);
        var here = _data.AsSpan(position, maxLength);

        var bestRep = -1;
        for (var i = 0; i < 4; i++)
        {
            _repLengths[i] = 0;
            var source = position - reps[i] - 1;
            if (source >= 0 && maxLength >= 2 && _data[source] == here[0] && _data[source + 1] == here[1])
            {
                _repLengths[i] = here.CommonPrefixLength(_data.AsSpan(source, maxLength));
                if (bestRep < 0 || _repLengths[i] > _repLengths[bestRep])
                {
                    bestRep = i;
                }
            }
        }

        if (bestRep >= 0 && _repLengths[bestRep] >= NiceLength)
        {
            SetStep(cur + _repLengths[bestRep], cur, KindRep + bestRep, _repLengths[bestRep], reps[bestRep]);
            return _repLengths[bestRep];
        }

        if (found > 0 && _matchLengths[found - 1] >= NiceLength)
        {
            SetStep(cur + _matchLengths[found - 1], cur, KindMatch, _matchLengths[found - 1], _matchDistances[found - 1]);
            return _matchLengths[found - 1];
        }

        var state = _nodes[cur].State;
        var positionState = position & (PositionStates - 1);
        var price = _nodes[cur].Price;
        ReachUpTo(cur + maxLength);
        var matchPrice = price + BitTree.BitPrice(_isMatch[(state << PositionBits) + positionState], 1);
        var literalPrice = price + BitTree.BitPrice(_isMatch[(state << PositionBits) + positionState], 0) + LiteralPrice(position, state, reps[0]);
        Offer(cur + 1, literalPrice, cur, KindLiteral, 1, -1);
        if (maxLength > 2)
        {
            OfferLiteralThenRep0(cur, position, maxLength, literalPrice, state, reps[0]);
        }

        var repPrice = matchPrice + BitTree.BitPrice(_isRep[state], 1);
        var rep0Source = position - reps[0] - 1;
        if (rep0Source >= 0 && _data[rep0Source] == here[0])
        {
            Offer(cur + 1, repPrice + BitTree.BitPrice(_isRepG0[state], 0) + BitTree.BitPrice(_isRep0Long[(state << PositionBits) + positionState], 0), cur, KindShortRep, 1, reps[0]);
        }

        for (var i = 0; i < 4; i++)
        {
            if (_repLengths[i] < 2)
            {
                continue;
            }

            OfferLengths(cur, LengthCoder.MinLength, _repLengths[i], repPrice + RepIndexPrice(i, state, positionState), _repLength.Prices(positionState), KindRep + i, reps[i]);
        }

        // A match no longer than the rep0 match would cost more than it (as LZMA's own parser reasons).
        var normalPrice = matchPrice + BitTree.BitPrice(_isRep[state], 0);
        var next = Math.Max(2, _repLengths[0] + 1);
        for (var m = 0; m < found; m++)
        {
            var distance = _matchDistances[m];
            if (reps.Contains(distance))
            {
                // As a rep match it costs less, and that path was offered above.
                next = Math.Max(next, _matchLengths[m] + 1);
                continue;
            }

            // The distance's price depends on the length only up to 5 (lengthState).
            var lengthPrices = _matchLength.Prices(positionState);
            for (; next <= _matchLengths[m] && next < LengthCoder.MinLength + LengthStates - 1; next++)
            {
                Offer(cur + next, normalPrice + lengthPrices[next - LengthCoder.MinLength] + DistancePrice(distance, next), cur, KindMatch, next, distance);
            }

            if (next <= _matchLengths[m])
            {
                OfferLengths(cur, next, _matchLengths[m], normalPrice + DistancePrice(distance, LengthCoder.MinLength + LengthStates - 1), lengthPrices, KindMatch, distance);
                next = _matchLengths[m] + 1;
            }
        }

        return 0;
    }

    /// <summary>
    /// A literal, then a rep0 match right after it (as LZMA's own parser tries): the literal breaks a repeat
    /// for one byte, and the repeat goes on at the same distance, which costs little as a rep0.
    /// </summary>
    private void OfferLiteralThenRep0(int cur, int position, int maxLength, int literalPrice, int state, int rep0)
    {
        var source = position - rep0; // the byte after the literal, at the rep0 distance
        if (source < 1 || _data[source - 1] == _data[position])
        {
            return;
        }

        var length = _data.AsSpan(position + 1, Math.Min(maxLength - 1, NiceLength)).CommonPrefixLength(_data.AsSpan(source, Math.Min(maxLength - 1, NiceLength)));
        if (length < 2)
        {
            return;
        }

        var next = AfterLiteral(state);
        var nextPositionState = (position + 1) & (PositionStates - 1);
        var total = literalPrice
            + BitTree.BitPrice(_isMatch[(next << PositionBits) + nextPositionState], 1)
            + BitTree.BitPrice(_isRep[next], 1)
            + RepIndexPrice(0, next, nextPositionState)
            + _repLength.Prices(nextPositionState)[length - LengthCoder.MinLength];
        Offer(cur + 1 + length, total, cur, KindLiteralRep0, 1 + length, rep0);
    }

    /// <summary>Makes nodes up to <paramref name="node"/> exist (unreached) before offers land on them.</summary>
    private void ReachUpTo(int node)
    {
        while (_end < node)
        {
            _nodes[++_end].Price = BitTree.Infinity;
        }
    }

    private void Offer(int node, int price, int from, int kind, int length, int distance)
    {
        ref var target = ref _nodes[node];
        if (price < target.Price)
        {
            target = new Node { Price = price, From = from, Kind = kind, Length = length, Distance = distance };
            _furthest = Math.Max(_furthest, node);
        }
    }

    /// <summary>Offers the steps of lengths first..last from node <paramref name="cur"/>: the parse's inner loop.</summary>
    private void OfferLengths(int cur, int first, int last, int basePrice, ReadOnlySpan<int> lengthPrices, int kind, int distance)
    {
        var targets = _nodes.AsSpan(cur + first, last - first + 1);
        var prices = lengthPrices.Slice(first - LengthCoder.MinLength, targets.Length);
        for (var k = 0; k < targets.Length && k < prices.Length; k++)
        {
            var price = basePrice + prices[k];
            ref var target = ref targets[k];
            if (price < target.Price)
            {
                target.Price = price;
                target.From = cur;
                target.Kind = kind;
                target.Length = first + k;
                target.Distance = distance;
            }
        }

        _furthest = Math.Max(_furthest, cur + last);
    }

    private void SetStep(int node, int from, int kind, int length, int distance) =>
        _nodes[node] = new Node { Price = 0, From = from, Kind = kind, Length = length, Distance = distance };

    /// <summary>
    /// Encodes one step of the parse. Its kind is decided again from the distance and the rep distances as
    /// they are now: a stored chunk resets the model, after which the parse's rep indexes would be stale.
    /// </summary>
    private void EncodeSymbol(int position, int kind, int length, int distance)
    {
        if (_chunkUnpacked > 0 && (_chunkUnpacked + length > MaxChunkUnpacked || _range.PendingBytes + SymbolMargin > MaxChunkPacked))
        {
            EndChunk();
        }

        if (_chunkUnpacked == 0)
        {
            _chunkStart = position;
            if (_needStateReset)
            {
                ResetState();
            }
        }

        var positionState = position & (PositionStates - 1);
        var matchIndex = (_state << PositionBits) + positionState;
        if (kind == KindLiteral || (length == 1 && distance != _reps[0]))
        {
            _range.EncodeBit(ref _isMatch[matchIndex], 0);
            EncodeLiteral(position);
            _state = AfterLiteral(_state);
        }
        else if (length == 1)
        {
            _range.EncodeBit(ref _isMatch[matchIndex], 1);
            _range.EncodeBit(ref _isRep[_state], 1);
            _range.EncodeBit(ref _isRepG0[_state], 0);
            _range.EncodeBit(ref _isRep0Long[matchIndex], 0);
            _state = AfterShortRep(_state);
        }
        else if (Array.IndexOf(_reps, distance) is var rep and >= 0)
        {
            _range.EncodeBit(ref _isMatch[matchIndex], 1);
            _range.EncodeBit(ref _isRep[_state], 1);
            if (rep == 0)
            {
                _range.EncodeBit(ref _isRepG0[_state], 0);
                _range.EncodeBit(ref _isRep0Long[matchIndex], 1);
            }
            else
            {
                _range.EncodeBit(ref _isRepG0[_state], 1);
                if (rep == 1)
                {
                    _range.EncodeBit(ref _isRepG1[_state], 0);
                }
                else
                {
                    _range.EncodeBit(ref _isRepG1[_state], 1);
                    _range.EncodeBit(ref _isRepG2[_state], rep - 2);
                }
            }

            _repLength.Encode(_range, length, positionState);
            MoveToFront(_reps, rep);
            _state = AfterRep(_state);
        }
        else
        {
            _range.EncodeBit(ref _isMatch[matchIndex], 1);
            _range.EncodeBit(ref _isRep[_state], 0);
            _matchLength.Encode(_range, length, positionState);
            EncodeDistance(distance, length);
            (_reps[3], _reps[2], _reps[1], _reps[0]) = (_reps[2], _reps[1], _reps[0], distance);
            _state = AfterMatch(_state);
        }

        _chunkUnpacked += length;
        _sinceRefresh++;
    }

    private void EncodeLiteral(int position)
    {
        var sink = new BitTree.EncodingSink(_range);
        WalkLiteral(position, _state, _reps[0], ref sink);
    }

    private int LiteralPrice(int position, int state, int rep0)
    {
        var sink = new BitTree.PricingSink();
        WalkLiteral(position, state, rep0, ref sink);
        return sink.Price;
    }

    /// <summary>The bits of the literal at <paramref name="position"/>, each with the probability it is coded on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WalkLiteral<TSink>(int position, int state, int rep0, ref TSink sink)
        where TSink : struct, BitTree.IBitSink
    {
        var probabilities = LiteralCoder(position);
        int symbol = _data[position];
        if (state < LiteralStates)
        {
            BitTree.Walk(probabilities, 8, symbol, ref sink);
            return;
        }

        // After a match the byte at the rep0 distance predicts this one, until the first bit they differ in.
        int matchByte = _data[position - rep0 - 1];
        var node = 1;
        var bit = 7;
        for (; bit >= 0; bit--)
        {
            var value = (symbol >> bit) & 1;
            var matchBit = (matchByte >> bit) & 1;
            sink.Bit(ref probabilities[((1 + matchBit) << 8) + node], value);
            node = (node << 1) | value;
            if (value != matchBit)
            {
                bit--;
                break;
            }
        }

        for (; bit >= 0; bit--)
        {
            var value = (symbol >> bit) & 1;
            sink.Bit(ref probabilities[node], value);
            node = (node << 1) | value;
        }
    }

    private Span<ushort> LiteralCoder(int position)
    {
        var previous = position > 0 ? _data[position - 1] : 0;
        return _literal.AsSpan((previous >> (8 - LiteralContextBits)) * LiteralCoderSize, LiteralCoderSize);
    }

    private void EncodeDistance(int distance, int length)
    {
        var lengthState = Math.Min(length - LengthCoder.MinLength, LengthStates - 1);
        var slot = Slot(distance);
        BitTree.Encode(_range, _slot.AsSpan(lengthState << SlotBits, 1 << SlotBits), SlotBits, slot);
        if (slot < StartPositionModel)
        {
            return;
        }

        var footerBits = (slot >> 1) - 1;
        var baseDistance = (2 | (slot & 1)) << footerBits;
        var reduced = distance - baseDistance;
        if (slot < EndPositionModel)
        {
            BitTree.EncodeReverse(_range, _special.AsSpan(baseDistance - slot), footerBits, reduced);
        }
        else
        {
            _range.EncodeDirectBits((uint)reduced >> AlignBits, footerBits - AlignBits);
            BitTree.EncodeReverse(_range, _align, AlignBits, reduced & ((1 << AlignBits) - 1));
        }
    }

    private int DistancePrice(int distance, int length)
    {
        var lengthState = Math.Min(length - LengthCoder.MinLength, LengthStates - 1);
        return distance < FullDistances
            ? _fullDistancePrices[(lengthState * FullDistances) + distance]
            : _slotPrices[(lengthState << SlotBits) + Slot(distance)] + _alignPrices[distance & ((1 << AlignBits) - 1)];
    }

    private int RepIndexPrice(int rep, int state, int positionState) => rep switch
    {
        0 => BitTree.BitPrice(_isRepG0[state], 0) + BitTree.BitPrice(_isRep0Long[(state << PositionBits) + positionState], 1),
        1 => BitTree.BitPrice(_isRepG0[state], 1) + BitTree.BitPrice(_isRepG1[state], 0),
        _ => BitTree.BitPrice(_isRepG0[state], 1) + BitTree.BitPrice(_isRepG1[state], 1) + BitTree.BitPrice(_isRepG2[state], rep - 2),
    };

    /// <summary>The prices of lengths and distances move slowly with the model: recomputed every few symbols.</summary>
    private void UpdatePrices()
    {
        _sinceRefresh = 0;
        _matchLength.UpdatePrices();
        _repLength.UpdatePrices();
        for (var lengthState = 0; lengthState < LengthStates; lengthState++)
        {
            var slots = _slot.AsSpan(lengthState << SlotBits, 1 << SlotBits);
            for (var slot = 0; slot < 1 << SlotBits; slot++)
            {
                var price = BitTree.Price(slots, SlotBits, slot);
                if (slot >= EndPositionModel)
                {
                    // The direct bits, one bit each.
                    price += ((slot >> 1) - 1 - AlignBits) << 4;
                }

                _slotPrices[(lengthState << SlotBits) + slot] = price;
            }

            for (var distance = 0; distance < FullDistances; distance++)
            {
                var slot = Slot(distance);
                var price = _slotPrices[(lengthState << SlotBits) + slot];
                if (slot >= StartPositionModel)
                {
                    var footerBits = (slot >> 1) - 1;
                    var baseDistance = (2 | (slot & 1)) << footerBits;
                    price += BitTree.ReversePrice(_special.AsSpan(baseDistance - slot), footerBits, distance - baseDistance);
                }

                _fullDistancePrices[(lengthState * FullDistances) + distance] = price;
            }
        }

        for (var i = 0; i < 1 << AlignBits; i++)
        {
            _alignPrices[i] = BitTree.ReversePrice(_align, AlignBits, i);
        }
    }

    /// <summary>Writes the chunk coded so far: as LZMA, or stored when coding did not make it smaller.</summary>
    private void EndChunk()
    {
        _range.Flush();
        var packed = _range.Written;
        Span<byte> header = stackalloc byte[6];
        if (packed.Length >= _chunkUnpacked)
        {
            // Control 1 stores with a dictionary reset, 2 without. The model coded what is thrown away here,
            // so the next LZMA chunk resets its state (and the decoder's) to start equal again.
            for (var offset = 0; offset < _chunkUnpacked; offset += MaxUncompressedChunk)
            {
                var size = Math.Min(MaxUncompressedChunk, _chunkUnpacked - offset);
                header[0] = (byte)(_needDictionaryReset ? 1 : 2);
                BinaryPrimitives.WriteUInt16BigEndian(header[1..], (ushort)(size - 1));
                _output.Write(header[..3]);
                _output.Write(_data.AsSpan(_chunkStart + offset, size));
                _needDictionaryReset = false;
            }

            _needStateReset = true;
        }
        else
        {
            // Control 0x80 | reset << 5 | bits 16-20 of (unpacked - 1): 3 resets the dictionary and takes new
            // properties, 2 takes properties (and resets the state), 1 resets the state, 0 goes on.
            var reset = _needDictionaryReset ? 3 : _needProperties ? 2 : _needStateReset ? 1 : 0;
            var unpacked = _chunkUnpacked - 1;
            header[0] = (byte)(0x80 | (reset << 5) | (unpacked >> 16));
            BinaryPrimitives.WriteUInt16BigEndian(header[1..], (ushort)unpacked);
            BinaryPrimitives.WriteUInt16BigEndian(header[3..], (ushort)(packed.Length - 1));
            header[5] = Properties;
            _output.Write(header[..(reset >= 2 ? 6 : 5)]);
            _output.Write(packed);
            (_needDictionaryReset, _needProperties, _needStateReset) = (false, false, false);
        }

        _range.Reset();
        _chunkUnpacked = 0;
    }

    private static int Slot(int distance)
    {
        if (distance < StartPositionModel)
        {
            return distance;
        }

        var log = 31 - BitOperations.LeadingZeroCount((uint)distance);
        return (log << 1) | ((distance >> (log - 1)) & 1);
    }

    private static void MoveToFront(Span<int> reps, int index)
    {
        var distance = reps[index];
        for (var i = index; i > 0; i--)
        {
            reps[i] = reps[i - 1];
        }

        reps[0] = distance;
    }

    private static int AfterLiteral(int state) => state < 4 ? 0 : state < 10 ? state - 3 : state - 6;

    private static int AfterMatch(int state) => state < LiteralStates ? 7 : 10;

    private static int AfterRep(int state) => state < LiteralStates ? 8 : 11;

    private static int AfterShortRep(int state) => state < LiteralStates ? 9 : 11;

    /// <summary>A position of the parse window: the price of the best path to it, that path's last step, and the state it leaves.</summary>
    private struct Node
    {
        public int Price;
        public int From;
        public int Kind;
        public int Length;
        public int Distance;
        public int State;
    }
}
