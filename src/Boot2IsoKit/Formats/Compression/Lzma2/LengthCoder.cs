namespace Boot2IsoKit.Formats.Compression.Lzma2;

/// <summary>
/// LZMA's length coder (lzma-specification.txt, "The match length decoder"): lengths 2..9 on a 3-bit tree
/// per position state, 10..17 on a second, 18..273 on one 8-bit tree, chosen by two choice bits. A match
/// and a rep match each have their own.
/// </summary>
internal sealed class LengthCoder
{
    public const int MinLength = 2;
    public const int MaxLength = MinLength + LowSymbols + MidSymbols + HighSymbols - 1;

    private const int LowBits = 3;
    private const int LowSymbols = 1 << LowBits;
    private const int MidSymbols = 1 << LowBits;
    private const int HighBits = 8;
    private const int HighSymbols = 1 << HighBits;
    private const int Lengths = MaxLength - MinLength + 1;

    private readonly ushort[] _choice = new ushort[2];
    private readonly ushort[] _low = new ushort[Lzma2BlockEncoder.PositionStates << LowBits];
    private readonly ushort[] _mid = new ushort[Lzma2BlockEncoder.PositionStates << LowBits];
    private readonly ushort[] _high = new ushort[HighSymbols];
    private readonly int[] _prices = new int[Lzma2BlockEncoder.PositionStates * Lengths];

    public void Reset()
    {
        _choice.AsSpan().Fill(RangeEncoder.InitialProbability);
        _low.AsSpan().Fill(RangeEncoder.InitialProbability);
        _mid.AsSpan().Fill(RangeEncoder.InitialProbability);
        _high.AsSpan().Fill(RangeEncoder.InitialProbability);
    }

    public void Encode(RangeEncoder encoder, int length, int positionState)
    {
        var symbol = length - MinLength;
        if (symbol < LowSymbols)
        {
            encoder.EncodeBit(ref _choice[0], 0);
            BitTree.Encode(encoder, _low.AsSpan(positionState << LowBits, LowSymbols), LowBits, symbol);
            return;
        }

        encoder.EncodeBit(ref _choice[0], 1);
        symbol -= LowSymbols;
        if (symbol < MidSymbols)
        {
            encoder.EncodeBit(ref _choice[1], 0);
            BitTree.Encode(encoder, _mid.AsSpan(positionState << LowBits, MidSymbols), LowBits, symbol);
            return;
        }

        encoder.EncodeBit(ref _choice[1], 1);
        BitTree.Encode(encoder, _high, HighBits, symbol - MidSymbols);
    }

    /// <summary>The prices of lengths 2..273 (index: length - 2) as of the last <see cref="UpdatePrices"/>.</summary>
    public ReadOnlySpan<int> Prices(int positionState) => _prices.AsSpan(positionState * Lengths, Lengths);

    public void UpdatePrices()
    {
        var choice0 = BitTree.BitPrice(_choice[0], 0);
        var choice1 = BitTree.BitPrice(_choice[0], 1);
        var mid = choice1 + BitTree.BitPrice(_choice[1], 0);
        var high = choice1 + BitTree.BitPrice(_choice[1], 1);
        for (var positionState = 0; positionState < Lzma2BlockEncoder.PositionStates; positionState++)
        {
            var prices = _prices.AsSpan(positionState * Lengths, Lengths);
            var low = _low.AsSpan(positionState << LowBits, LowSymbols);
            var middle = _mid.AsSpan(positionState << LowBits, MidSymbols);
            for (var symbol = 0; symbol < LowSymbols; symbol++)
            {
                prices[symbol] = choice0 + BitTree.Price(low, LowBits, symbol);
                prices[LowSymbols + symbol] = mid + BitTree.Price(middle, LowBits, symbol);
            }

            if (positionState == 0)
            {
                for (var symbol = 0; symbol < HighSymbols; symbol++)
                {
                    prices[LowSymbols + MidSymbols + symbol] = high + BitTree.Price(_high, HighBits, symbol);
                }
            }
            else
            {
                // The high tree is shared by every position state.
                _prices.AsSpan(LowSymbols + MidSymbols, HighSymbols).CopyTo(prices[(LowSymbols + MidSymbols)..]);
            }
        }
    }
}
