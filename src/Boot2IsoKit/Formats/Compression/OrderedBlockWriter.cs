namespace Boot2IsoKit.Formats.Compression;

/// <summary>
/// The ordered pipeline behind the parallel compressors: blocks are encoded on the thread pool, at most
/// <c>maxParallelism</c> at once beyond the one being filled, and written to the output in the order they
/// were given, so the bytes never depend on which block finishes first. A block's rented buffer goes back
/// to its pool once it is written, or when the output fails and the blocks still in flight are given up.
/// </summary>
internal sealed class OrderedBlockWriter(Stream output, int? maxParallelism)
{
    private readonly int _maxInFlight = Math.Max(1, maxParallelism ?? Environment.ProcessorCount);
    private readonly Queue<Task<EncodedBlock>> _inFlight = new();

    /// <summary>Starts encoding a block; when too many are in flight, writes the oldest first (back-pressure).</summary>
    public void Enqueue(Func<EncodedBlock> encode)
    {
        _inFlight.Enqueue(Task.Run(encode));
        while (_inFlight.Count > _maxInFlight)
        {
            WriteOldest();
        }
    }

    /// <summary>Starts encoding a block whose bytes are a fresh array of their own.</summary>
    public void Enqueue(Func<byte[]> encode) => Enqueue(() =>
    {
        var bytes = encode();
        return new EncodedBlock(bytes, bytes.Length);
    });

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
            var task = _inFlight.Dequeue();
            _ = task.ContinueWith(static _ => { }, TaskScheduler.Default).Wait(Timeout.Infinite);
            if (task.IsCompletedSuccessfully)
            {
                task.Result.Release();
            }
        }
    }

    private void WriteOldest()
    {
        var block = _inFlight.Dequeue().GetAwaiter().GetResult();
        try
        {
            output.Write(block.Bytes);
        }
        catch (IOException)
        {
            // The output failed (a full disk): nothing more will be written, so the other blocks let go of their buffers now.
            Abandon();
            throw;
        }
        finally
        {
            block.Release();
        }
    }
}
