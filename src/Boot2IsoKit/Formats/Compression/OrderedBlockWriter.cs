namespace Boot2IsoKit.Formats.Compression;

/// <summary>
/// The ordered pipeline behind the parallel compressors: blocks are encoded on the thread pool, at most
/// <c>maxParallelism</c> at once beyond the one being filled, and written to the output in the order they
/// were given, so the bytes never depend on which block finishes first.
/// </summary>
internal sealed class OrderedBlockWriter(Stream output, int? maxParallelism)
{
    private readonly int _maxInFlight = Math.Max(1, maxParallelism ?? Environment.ProcessorCount);
    private readonly Queue<Task<byte[]>> _inFlight = new();

    /// <summary>Starts encoding a block; when too many are in flight, writes the oldest first (back-pressure).</summary>
    public void Enqueue(Func<byte[]> encode)
    {
        _inFlight.Enqueue(Task.Run(encode));
        while (_inFlight.Count > _maxInFlight)
        {
            WriteOldest();
        }
    }

    /// <summary>Writes every block still in flight, in order.</summary>
    public void Drain()
    {
        while (_inFlight.Count > 0)
        {
            WriteOldest();
        }
    }

    /// <summary>Waits for every block still in flight (they return what they hold) and writes none of them.</summary>
    public void Abandon()
    {
        while (_inFlight.Count > 0)
        {
            // Their outcome no longer matters: the stream is being given up (cancelled or failed).
            _ = _inFlight.Dequeue().ContinueWith(static _ => { }, TaskScheduler.Default).Wait(Timeout.Infinite);
        }
    }

    private void WriteOldest() => output.Write(_inFlight.Dequeue().GetAwaiter().GetResult());
}
