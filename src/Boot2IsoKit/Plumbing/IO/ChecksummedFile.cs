using System.Security.Cryptography;

namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// A file of our own derived data (an index kept to save work on the next run): the payload followed by
/// its sha256, written atomically. Reading gives the payload only when the checksum matches, so a
/// truncated, damaged or foreign file is a miss to recompute, never data to trust.
/// </summary>
internal static class ChecksummedFile
{
    private const int HashLength = 32;

    /// <summary>Writes the file; false when it cannot be written (a lost cache entry only costs recomputing).</summary>
    public static bool TryWrite(string path, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            AtomicFile.Write(path, file =>
            {
                file.Write(payload);
                file.Write(SHA256.HashData(payload));
            });
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The payload, or null when the file is absent, unreadable or does not match its checksum.</summary>
    public static byte[]? TryRead(string path) => TryReadPayload(path)?.ToArray();

    /// <summary>As <see cref="TryRead"/>, without copying the payload out of the file's bytes.</summary>
    public static ReadOnlyMemory<byte>? TryReadPayload(string path)
    {
        byte[] file;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (file.Length < HashLength)
        {
            return null;
        }

        var payload = file.AsMemory(0, file.Length - HashLength);
        return SHA256.HashData(payload.Span).AsSpan().SequenceEqual(file.AsSpan(file.Length - HashLength)) ? payload : null;
    }
}
