namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// How the image readers (ISO 9660, squashfs) take their input: a readable, seekable stream, and no
/// handle left open when reading the image's header fails.
/// </summary>
internal static class ImageStreams
{
    /// <summary>Opens <paramref name="path"/> for random reads and hands it to <paramref name="open"/>; closes it when that throws.</summary>
    public static T OpenFile<T>(string path, Func<Stream, T> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 12, FileOptions.RandomAccess);
        try
        {
            return open(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="load"/> over <paramref name="stream"/>; when it throws, the stream is disposed
    /// unless the caller keeps it (<paramref name="leaveOpen"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The stream cannot be read or cannot seek.</exception>
    public static T Load<T>(Stream stream, string format, bool leaveOpen, Func<T> load)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(load);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException($"{format} needs a readable, seekable stream", nameof(stream));
        }

        try
        {
            return load();
        }
        catch
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw;
        }
    }
}
