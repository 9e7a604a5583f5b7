namespace Boot2IsoKit.Formats.Compression.Lzma2;

/// <summary>
/// LZMA's binary range encoder (Igor Pavlov's lzma-specification.txt, "The range encoder"): 11-bit
/// adaptive probabilities, a 32-bit range and a carry held back in <c>cache</c>. LZMA2 restarts it at every
/// chunk, so it writes into a buffer the size of the largest chunk and is reset after each.
/// </summary>
internal sealed class RangeEncoder
{
    /// <summary>Probabilities are 11-bit; a fresh one is one half.</summary>
    public const int ProbabilityBits = 11;

    public const ushort InitialProbability = 1 << (ProbabilityBits - 1);

    private const int MoveBits = 5;
    private const uint TopValue = 1 << 24;

    private readonly byte[] _buffer;
    private int _count;
    private ulong _low;
    private uint _range;
    private byte _cache;
    private long _cacheSize;

    public RangeEncoder(int capacity)
    {
        _buffer = new byte[capacity];
        Reset();
    }

    /// <summary>At most the bytes the output holds after <see cref="Flush"/>.</summary>
    public long PendingBytes => _count + _cacheSize + 5;

    /// <summary>The encoded bytes; complete only after <see cref="Flush"/>.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _count);

    public void Reset()
    {
        _count = 0;
        _low = 0;
        _range = uint.MaxValue;
        _cache = 0;
        _cacheSize = 1;
    }

    public void EncodeBit(ref ushort probability, int bit)
    {
        var bound = (_range >> ProbabilityBits) * probability;
        if (bit == 0)
        {
            _range = bound;
            probability += (ushort)(((1 << ProbabilityBits) - probability) >> MoveBits);
        }
        else
        {
            _low += bound;
            _range -= bound;
            probability -= (ushort)(probability >> MoveBits);
        }

        while (_range < TopValue)
        {
            _range <<= 8;
            ShiftLow();
        }
    }

    /// <summary>Bits of <paramref name="value"/> at a fixed probability of one half, most significant first.</summary>
    public void EncodeDirectBits(uint value, int count)
    {
        while (count-- > 0)
        {
            _range >>= 1;
            _low += _range & (0u - ((value >> count) & 1));
            if (_range < TopValue)
            {
                _range <<= 8;
                ShiftLow();
            }
        }
    }

    /// <summary>Writes out what the low end still holds, so a decoder reads the last symbol whole.</summary>
    public void Flush()
    {
        for (var i = 0; i < 5; i++)
        {
            ShiftLow();
        }
    }

    private void ShiftLow()
    {
        // A byte leaves only when no carry can reach it any more: its top bits are not all ones, or the
        // carry has just happened. Until then it waits in cache (with a run of 0xFF bytes behind it).
        if ((uint)_low < 0xFF000000u || (_low >> 32) != 0)
        {
            var carry = (byte)(_low >> 32);
            var next = _cache;
            do
            {
                _buffer[_count++] = (byte)(next + carry);
                next = 0xFF;
            }
            while (--_cacheSize != 0);

            _cache = (byte)(_low >> 24);
        }

        _cacheSize++;
        _low = (_low & 0x00FFFFFF) << 8;
    }
}
