using System.Security.Cryptography;

namespace Boot2IsoKit.Plumbing.IO;

/// <summary>
/// A file of our own derived data (an index kept to save work on the next run): the payload followed by
/// its sha256, written atomically. Reading gives the payload only when the checksum matches, so a
/// truncated, damaged or foreign file is a miss to recompute, never data to trust.
/// </summary>
internal static class ChecksummedFile
{
    /// <summary>The sha256 after the payload.</summary>
    public const int HashLength = 32;

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

    /// <summary>
    /// The payload's length when the file is present, readable and matches its checksum, else null. It hashes the file
    /// in small chunks, for callers that then read only the parts they need instead of holding the whole payload.
    /// </summary>
    public static long? VerifiedPayloadLength(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            var payloadLength = file.Length - HashLength;
            if (payloadLength < 0)
            {
                return null;
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            for (var left = payloadLength; left > 0;)
            {
                var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0)
                {
                    return null;
                }

                hash.AppendData(buffer, 0, read);
                left -= read;
            }

            var stored = new byte[HashLength];
            file.ReadExactly(stored);
            return hash.GetHashAndReset().AsSpan().SequenceEqual(stored) ? payloadLength : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The payload, or null when the file is absent, unreadable or does not match its checksum.</summary>
    public static byte[]? TryRead(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            // The payload is read into an array of its own size: one copy of the file's bytes, not two.
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            if (file.Length < HashLength || file.Length - HashLength > Array.MaxLength)
            {
                return null;
            }

            var payload = new byte[file.Length - HashLength];
            var stored = new byte[HashLength];
            file.ReadExactly(payload);
            file.ReadExactly(stored);
            return SHA256.HashData(payload).AsSpan().SequenceEqual(stored) ? payload : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
