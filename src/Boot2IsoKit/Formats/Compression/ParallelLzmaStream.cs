using System.Buffers;
using System.Buffers.Binary;
using SharpCompress.Compressors.LZMA;

namespace Boot2IsoKit.Formats.Compression;

/// <summary>
/// A write-only stream that writes legacy ".lzma" (LZMA-alone, what "xz --format=lzma" writes and
/// boot2docker ships its initrd in) on several cores, as a sequence of independent members, each with
/// its own 13-byte header, an unknown size and an end marker. The Linux initramfs unpacker
/// (init/initramfs.c, unpack_to_rootfs) decodes such members one after the other, but each member must
/// end between two cpio entries (else "junk at the end of compressed archive"): so the stream only ends a
/// member where the writer calls <see cref="MarkCutPoint"/>, at the first such point after
/// <see cref="MemberSize"/> bytes. Members are encoded in parallel and written in order; the bytes depend
/// only on the input and the cut points, never on the number of cores (reproducible builds).
/// </summary>
/// <remarks>
/// A merge writes xz (<see cref="ParallelXzStream"/>, cut anywhere) unless asked for legacy lzma, for a
/// kernel without XZ support. The members' ratio matches xz's: every member starts a fresh dictionary, as
/// every block of "xz -T0 -6" does, and blocks of that size are what xz picks (three times the dictionary).
/// </remarks>
internal sealed class ParallelLzmaStream : WriteOnlyStream
{
    /// <summary>"xz -6"'s dictionary: the kernel's unlzma allocates it once, the encoder about 11× it.</summary>
    public const int DictionarySize = 8 << 20;

    /// <summary>Uncompressed bytes after which the next cut point ends a member: xz -T0's block size for -6.</summary>
    public const int MemberSize = 3 * DictionarySize;

    /// <summary>"xz -6"'s nice_len.</summary>
    private const int NumFastBytes = 64;

    private const int ChunkSize = 1 << 20;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly int _memberSize;
    private readonly OrderedBlockWriter _blocks;
    private readonly ArrayPool<byte> _pool;
    private List<byte[]> _chunks = [];
    private long _memberLength;
    private long _written;
    private bool _finished;

    /// <param name="maxParallelism">Members compressed at once (default: the processor count); it changes the speed, never the bytes.</param>
    /// <param name="memberSize">Uncompressed bytes after which a cut point ends a member (tests use small ones).</param>
    /// <param name="pool">Where chunks are rented (default: the shared pool; tests count what goes back).</param>
    public ParallelLzmaStream(Stream output, bool leaveOpen = false, int? maxParallelism = null, int memberSize = MemberSize, ArrayPool<byte>? pool = null)
    {
        _pool = pool ?? ArrayPool<byte>.Shared;
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(memberSize, 1);
        _output = output;
        _leaveOpen = leaveOpen;
        _blocks = new OrderedBlockWriter(output, maxParallelism);
        _memberSize = memberSize;
    }

    /// <summary>Members written so far (including those still being compressed).</summary>
    public int MemberCount { get; private set; }

    public override bool CanWrite => !_finished;

    /// <summary>
    /// Says that the bytes written so far end a cpio entry, so a member may end here. The member ends when
    /// it holds at least the member size.
    /// </summary>
    public void MarkCutPoint()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_memberLength >= _memberSize)
        {
            Submit();
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (buffer.Length > 0)
        {
            var used = (int)(_memberLength % ChunkSize);
            if (used == 0)
            {
                _chunks.Add(_pool.Rent(ChunkSize));
            }

            var count = Math.Min(buffer.Length, ChunkSize - used);
            buffer[..count].CopyTo(_chunks[^1].AsSpan(used));
            _memberLength += count;
            _written += count;
            buffer = buffer[count..];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            try
            {
                // Nothing written still gives a valid (empty) .lzma member.
                if (_memberLength > 0 || _written == 0)
                {
                    Submit();
                }

                _blocks.Drain();
            }
            finally
            {
                _finished = true;
                foreach (var chunk in _chunks)
                {
                    _pool.Return(chunk);
                }

                _chunks = [];

                if (!_leaveOpen)
                {
                    _output.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    private void Submit()
    {
        // The chunks belong to their task from here on (it returns them to the pool): let go of them before Enqueue,
        // which may throw (the output failed) after starting the task; Dispose would return them a second time.
        var chunks = _chunks;
        var length = _memberLength;
        var pool = _pool;
        _chunks = [];
        _memberLength = 0;
        MemberCount++;
        _blocks.Enqueue(() => Encode(chunks, length, pool));
    }

    private static byte[] Encode(List<byte[]> chunks, long length, ArrayPool<byte> pool)
    {
        try
        {
            using var compressed = new MemoryStream((int)Math.Min(int.MaxValue, (length / 3) + 64));
            using (var lzma = LzmaStream.Create(new LzmaEncoderProperties(eos: true, DictionarySize, NumFastBytes), false, compressed))
            {
                // The LZMA-alone header as "xz --format=lzma" writes it: the 5 property bytes (lc=3 lp=0 pb=2,
                // SharpCompress's defaults, and the dictionary size), then an unknown (-1) uncompressed size,
                // so the data ends with an end marker. The encoder writes nothing before its first input.
                Span<byte> header = stackalloc byte[13];
                lzma.Properties.AsSpan(0, 5).CopyTo(header);
                BinaryPrimitives.WriteInt64LittleEndian(header[5..], -1);
                compressed.Write(header);
                var remaining = length;
                foreach (var chunk in chunks)
                {
                    var count = (int)Math.Min(ChunkSize, remaining);
                    lzma.Write(chunk, 0, count);
                    remaining -= count;
                }
            }

            return compressed.ToArray();
        }
        finally
        {
            foreach (var chunk in chunks)
            {
                pool.Return(chunk);
            }
        }
    }
}
