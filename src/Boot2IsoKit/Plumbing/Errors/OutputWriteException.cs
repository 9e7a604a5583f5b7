using System.Globalization;

namespace Boot2IsoKit.Plumbing.Errors;

/// <summary>
/// Writing an output (the ISO, or the scratch the build keeps beside it) failed: the disk is full or
/// refuses the write. The inputs are fine; the message names the path, about how much space the build
/// needs there and how much is free.
/// </summary>
internal sealed class OutputWriteException : Boot2IsoKitException
{
    private OutputWriteException(string path, long? neededBytes, long? freeBytes, IOException inner)
        : base(MessageFor(path, neededBytes, freeBytes, inner), inner)
    {
        Path = path;
        NeededBytes = neededBytes;
        FreeBytes = freeBytes;
    }

    /// <summary>Where the write went.</summary>
    public string Path { get; }

    /// <summary>An estimate of the space the build needs there, when known.</summary>
    public long? NeededBytes { get; }

    /// <summary>The space free there when the write failed, when the file system says.</summary>
    public long? FreeBytes { get; }

    /// <summary>Whether the file system was out of space (or over quota): ENOSPC/EDQUOT on Unix, the disk-full codes on Windows.</summary>
    public static bool IsOutOfSpace(IOException error) => error?.HResult is
        28 // ENOSPC (Linux, macOS)
        or 122 // EDQUOT (Linux)
        or 69 // EDQUOT (macOS)
        or unchecked((int)0x80070070) // ERROR_DISK_FULL
        or unchecked((int)0x80070027); // ERROR_HANDLE_DISK_FULL

    /// <param name="path">The output file or scratch directory written to.</param>
    /// <param name="neededBytes">About how much the build writes there in all.</param>
    public static OutputWriteException For(string path, long? neededBytes, IOException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new OutputWriteException(path, neededBytes, FreeSpaceAt(path), error);
    }

    /// <summary>The same failure with the caller's estimate of the space the whole build needs.</summary>
    public OutputWriteException WithNeeded(long neededBytes) => new(Path, neededBytes, FreeBytes, (IOException)InnerException!);

    private static long? FreeSpaceAt(string path)
    {
        try
        {
            var directory = System.IO.Path.GetFullPath(path);
            while (!Directory.Exists(directory) && System.IO.Path.GetDirectoryName(directory) is { } parent)
            {
                directory = parent;
            }

            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static string MessageFor(string path, long? neededBytes, long? freeBytes, IOException inner)
    {
        var needed = neededBytes is { } n ? $"the build needs about {Mib(n)} there" : "the build needs more space there";
        var free = freeBytes is { } f ? $"{Mib(f)} is free" : "the free space is unknown";
        var what = IsOutOfSpace(inner) ? "no space left" : inner.Message;
        return $"{path}: cannot write ({what}): {needed}, {free}. Free some space, or choose another place with --output=PATH.";
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MiB");
}
