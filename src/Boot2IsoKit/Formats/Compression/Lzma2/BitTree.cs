using System.Runtime.CompilerServices;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BitPrice(ushort probability, int bit) =>
        Prices[(bit == 0 ? probability : (1 << RangeEncoder.ProbabilityBits) - probability) >> 4];

    /// <summary>Codes <paramref name="bits"/> bits of <paramref name="symbol"/>, most significant first, on probs[1..2^bits).</summary>
    public static void Encode(RangeEncoder encoder, Span<ushort> probs, int bits, int symbol)
    {
        var sink = new EncodingSink(encoder);
        Walk(probs, bits, symbol, ref sink);
    }

    /// <summary>Codes <paramref name="bits"/> bits of <paramref name="symbol"/>, least significant first.</summary>
    public static void EncodeReverse(RangeEncoder encoder, Span<ushort> probs, int bits, int symbol)
    {
        var sink = new EncodingSink(encoder);
        WalkReverse(probs, bits, symbol, ref sink);
    }

    /// <summary>What <see cref="Encode"/> would cost with the probabilities as they are.</summary>
    public static int Price(Span<ushort> probs, int bits, int symbol)
    {
        var sink = new PricingSink();
        Walk(probs, bits, symbol, ref sink);
        return sink.Price;
    }

    /// <summary>What <see cref="EncodeReverse"/> would cost with the probabilities as they are.</summary>
    public static int ReversePrice(Span<ushort> probs, int bits, int symbol)
    {
        var sink = new PricingSink();
        WalkReverse(probs, bits, symbol, ref sink);
        return sink.Price;
    }

    /// <summary>The bits of a tree, most significant first, each with the probability it is coded on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Walk<TSink>(Span<ushort> probs, int bits, int symbol, ref TSink sink)
        where TSink : struct, IBitSink
    {
        var node = 1;
        for (var i = bits - 1; i >= 0; i--)
        {
            var bit = (symbol >> i) & 1;
            sink.Bit(ref probs[node], bit);
            node = (node << 1) | bit;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WalkReverse<TSink>(Span<ushort> probs, int bits, int symbol, ref TSink sink)
        where TSink : struct, IBitSink
    {
        var node = 1;
        for (var i = 0; i < bits; i++)
        {
            var bit = symbol & 1;
            symbol >>= 1;
            sink.Bit(ref probs[node], bit);
            node = (node << 1) | bit;
        }
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

    /// <summary>
    /// Where the bits of a symbol go: into the range coder, or into a price. One walk of the coding rules
    /// serves both, so what the parser prices is what the encoder writes (a struct: the JIT specializes it).
    /// </summary>
    internal interface IBitSink
    {
        void Bit(ref ushort probability, int bit);
    }

    internal readonly struct EncodingSink(RangeEncoder encoder) : IBitSink
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Bit(ref ushort probability, int bit) => encoder.EncodeBit(ref probability, bit);
    }

    internal struct PricingSink : IBitSink
    {
        public int Price;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Bit(ref ushort probability, int bit) => Price += BitPrice(probability, bit);
    }
}
