using Boot2IsoKit.Formats.Iso9660.Descriptors;

namespace Boot2IsoKit.Formats.Iso9660;

/// <summary>
/// Whether bytes are ISO 9660 at all, the one place that knows it: every volume descriptor starts with its type
/// byte and the standard identifier "CD001" (ECMA-119 8.1), and the first descriptor sits at LBA 16, byte 0x8000.
/// Usage: <c>IsoSignature.IsIso9660(stream)</c> before handing a file on as an ISO; <see cref="IsoImage"/> reads and checks the rest.
/// </summary>
internal static class IsoSignature
{
    /// <summary>Byte offset of the first volume descriptor (LBA 16 of 2048-byte sectors).</summary>
    public const long FirstDescriptorOffset = 16 * IsoBytes.BlockSize;

    /// <summary>Type byte of the Primary Volume Descriptor.</summary>
    public const byte PrimaryDescriptorType = 1;

    /// <summary>Type byte of a Boot Record (El Torito's is at LBA 17).</summary>
    public const byte BootRecordType = 0;

    /// <summary>The type byte, "CD001" and the version byte: what every volume descriptor starts with.</summary>
    public const int HeaderLength = 7;

    /// <summary>True when <paramref name="sector"/> starts like a volume descriptor: any type byte, then "CD001".</summary>
    public static bool IsVolumeDescriptor(ReadOnlySpan<byte> sector) =>
        sector.Length >= HeaderLength && sector.Slice(1, 5).SequenceEqual("CD001"u8);

    /// <summary>True when <paramref name="sector"/> is a volume descriptor of that type.</summary>
    public static bool IsVolumeDescriptor(ReadOnlySpan<byte> sector, byte type) =>
        IsVolumeDescriptor(sector) && sector[0] == type;

    /// <summary>
    /// True when a volume descriptor starts at LBA 16, as in every ISO 9660 image. The stream must be seekable;
    /// its position is restored.
    /// </summary>
    public static bool IsIso9660(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.Length < FirstDescriptorOffset + HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        var position = stream.Position;
        try
        {
            stream.Position = FirstDescriptorOffset;
            stream.ReadExactly(header);
        }
        finally
        {
            stream.Position = position;
        }

        return IsVolumeDescriptor(header);
    }

    /// <inheritdoc cref="IsIso9660(Stream)"/>
    public static async Task<bool> IsIso9660Async(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.Length < FirstDescriptorOffset + HeaderLength)
        {
            return false;
        }

        var header = new byte[HeaderLength];
        var position = stream.Position;
        try
        {
            stream.Position = FirstDescriptorOffset;
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            stream.Position = position;
        }

        return IsVolumeDescriptor(header);
    }
}
