using System.Buffers;

namespace Boot2IsoKit.Formats.Compression;

/// <summary>
/// What an encoder made of one block: the first <see cref="Length"/> bytes of <see cref="Buffer"/>. When
/// <see cref="Pool"/> is set the buffer was rented, and goes back to it once written or given up.
/// </summary>
internal readonly record struct EncodedBlock(byte[] Buffer, int Length, ArrayPool<byte>? Pool = null)
{
    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(0, Length);

    public void Release() => Pool?.Return(Buffer);
}
