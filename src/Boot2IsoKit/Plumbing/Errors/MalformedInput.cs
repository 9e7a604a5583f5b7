namespace Boot2IsoKit.Plumbing.Errors;

/// <summary>
/// The one answer to "this exception, thrown while READING an input, means the input is malformed": the filter
/// readers use to turn a library's exception into their typed <see cref="InvalidInputException"/> that names the input
/// and the place. Usage: <c>catch (Exception e) when (MalformedInput.Is(e)) { throw new InvalidCpioException(input, where, e.Message, e); }</c>
/// <para>
/// Malformed input (<see cref="Is"/>):
/// <list type="bullet">
/// <item><see cref="InvalidDataException"/>: the BCL's "the data is corrupt" (gzip/deflate, zip, tar checksums, our own layouts).</item>
/// <item><see cref="EndOfStreamException"/>: the input ends inside a structure (truncated).</item>
/// <item><see cref="FormatException"/> and <see cref="OverflowException"/>: a number or text field that does not parse or does not fit.</item>
/// <item><see cref="ArgumentException"/> (not <see cref="ArgumentNullException"/>, which is our bug): the BCL's readers check decoded
/// fields through argument checks (System.Formats.Tar's ArgumentOutOfRangeException for a time outside DateTimeOffset's range).</item>
/// <item>SharpCompress's own exceptions (ArchiveException, ZlibException, ...), thrown for corrupt compressed data.</item>
/// <item>Any other <see cref="IOException"/> raised while reading, except the two that are not about the bytes: the input is not
/// there (<see cref="FileNotFoundException"/>, <see cref="DirectoryNotFoundException"/>, <see cref="DriveNotFoundException"/>,
/// <see cref="PathTooLongException"/>), and the disk is full or over quota, which is a WRITE-side failure of the output.</item>
/// </list>
/// Never malformed input: cancellation, out-of-memory, and the toolkit's own exceptions (<see cref="InvalidInputException"/> already
/// names its input and is passed on unwrapped; <see cref="Boot2IsoKitException"/> and its kin are not about the input).
/// </para>
/// <para>
/// Read side and write side are kept apart: a guarded block should only read. Where it also writes (extracting to disk, importing
/// into a cache), an out-of-space <see cref="IOException"/> is still not taken for malformed input, but other write errors cannot be
/// told from read errors by type, so writes belong outside the block or behind their own typed output error.
/// </para>
/// </summary>
internal static class MalformedInput
{
    // Windows: ERROR_HANDLE_DISK_FULL (39) and ERROR_DISK_FULL (112) as HRESULTs. Unix: .NET sets the raw errno:
    // ENOSPC is 28 on Linux and macOS; EDQUOT is 122 on Linux, 69 on macOS.
    private static readonly int[] OutOfSpaceResults = [unchecked((int)0x80070027), unchecked((int)0x80070070), 28, 122, 69];

    /// <summary>True when <paramref name="e"/>, thrown while reading an input, means the input's bytes are malformed (see the class remarks).</summary>
    public static bool Is(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return !IsOurs(e) && e switch
        {
            InvalidDataException or EndOfStreamException or FormatException or OverflowException => true,
            ArgumentNullException => false,
            ArgumentException => true,
            IOException io => IsReadSide(io),
            _ => IsFromSharpCompress(e),
        };
    }

    /// <summary>
    /// The wider rule for third-party decompressors, which are black boxes on corrupt input (SharpCompress's LZMA and BZip2
    /// decoders throw IndexOutOfRangeException, InvalidOperationException, ...): anything but cancellation, out-of-memory,
    /// the toolkit's own exceptions, a missing or unreadable file and a full disk means bad data. Use it only around a decoder.
    /// </summary>
    public static bool IsFromDecoder(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return !IsOurs(e) && e switch
        {
            OperationCanceledException or OutOfMemoryException or UnauthorizedAccessException => false,
            IOException io => IsReadSide(io),
            _ => true,
        };
    }

    /// <summary>True for a full disk or an exceeded quota: the output cannot be written, whatever the input holds.</summary>
    public static bool IsOutOfSpace(IOException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return OutOfSpaceResults.Contains(e.HResult) && e is not (FileNotFoundException or DirectoryNotFoundException);
    }

    private static bool IsReadSide(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or DriveNotFoundException or PathTooLongException) && !IsOutOfSpace(e);

    private static bool IsOurs(Exception e) =>
        e is InvalidInputException or Boot2IsoKitException || e.GetType().Assembly == typeof(MalformedInput).Assembly;

    private static bool IsFromSharpCompress(Exception e) =>
        e.GetType().Namespace?.StartsWith("SharpCompress", StringComparison.Ordinal) == true;
}
