namespace Boot2IsoKit.Formats.Compression.Lzma2;

/// <summary>
/// The bit trees LZMA codes its numbers with (lzma-specification.txt, "Bit Tree"), and what a bit costs:
/// prices are in sixteenths of a bit, what the parser compares.
/// </summary>
internal static class BitTree
{
    /// <summary>-log2 of a bit's probability, in sixteenths, by that probability in steps of 16 of 2048.</summary>
    private static readonly int[] Prices = BuildPrices();

    /// <summary>A price no real path reaches.</summary>
    public const int Infinity = 1 << 30;

    public static int BitPrice(ushort probability, int bit) =>
        Prices[(bit == 0 ? probability : (1 << RangeEncoder.ProbabilityBits) - probability) >> 4];

    /// <summary>Codes <paramref name="bits"/> bits of <paramref name="symbol"/>, most significant first, on probs[1..2^bits).</summary>
    public static void Encode(RangeEncoder encoder, Span<ushort> probs, int bits, int symbol)
    {
        var node = 1;
        for (var i = bits - 1; i >= 0; i--)
        {
            var bit = (symbol >> i) & 1;
            encoder.EncodeBit(ref probs[node], bit);
            node = (node << 1) | bit;
        }
    }

    /// <summary>Codes <paramref name="bits"/> bits of <paramref name="symbol"/>, least significant first.</summary>
    public static void EncodeReverse(RangeEncoder encoder, Span<ushort> probs, int bits, int symbol)
    {
        var node = 1;
        for (var i = 0; i < bits; i++)
        {
            var bit = symbol & 1;
            symbol >>= 1;
            encoder.EncodeBit(ref probs[node], bit);
            node = (node << 1) | bit;
        }
    }

    public static int Price(ReadOnlySpan<ushort> probs, int bits, int symbol)
    {
        var price = 0;
        var node = 1;
        for (var i = bits - 1; i >= 0; i--)
        {
            var bit = (symbol >> i) & 1;
            price += BitPrice(probs[node], bit);
            node = (node << 1) | bit;
        }

        return price;
    }

    public static int ReversePrice(ReadOnlySpan<ushort> probs, int bits, int symbol)
    {
        var price = 0;
        var node = 1;
        for (var i = 0; i < bits; i++)
        {
            var bit = symbol & 1;
            symbol >>= 1;
            price += BitPrice(probs[node], bit);
            node = (node << 1) | bit;
        }

        return price;
    }

    private static int[] BuildPrices()
    {
        // Index: the probability of the coded bit, in steps of 16 out of 2048.
        var prices = new int[(1 << RangeEncoder.ProbabilityBits) >> 4];
        for (var i = 0; i < prices.Length; i++)
        {
            var probability = ((i << 4) + 8) / (double)(1 << RangeEncoder.ProbabilityBits);
            prices[i] = (int)Math.Round(-Math.Log2(probability) * 16);
        }

        return prices;
    }
}
