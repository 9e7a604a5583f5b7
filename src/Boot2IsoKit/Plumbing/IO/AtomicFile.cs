namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// Writes an output so that it either appears whole or not at all: the bytes go to a temporary file
/// in the destination directory, which is renamed over the destination only after a successful write.
/// A failure (exception, cancellation) deletes the temporary file and leaves any old file untouched.
/// </summary>
internal static class AtomicFile
{
    public static async Task WriteAsync(string destination, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(destination);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public static void Write(string destination, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteAsync(destination, (s, _) => { write(s); return Task.CompletedTask; }).GetAwaiter().GetResult();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the temporary name is unique and hidden, it cannot be mistaken for an output.
        }
    }
}
