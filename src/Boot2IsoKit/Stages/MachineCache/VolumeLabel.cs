using System.Text;
using Boot2IsoKit.Inputs.Engines;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// The ISO volume label as docker-machine sees it (libmachine/mcnutils/b2d.go, <c>b2dISO.version()</c>): it reads the
/// 32-byte Primary Volume Descriptor field at 0x8028, trims white space (Go <c>strings.TrimSpace</c>, which keeps NUL
/// bytes), finds the FIRST case-sensitive "-v" and keeps everything after the '-'. That string is compared for plain
/// equality with the latest boot2docker release tag.
/// </summary>
internal static class VolumeLabel
{
    /// <summary>boot2docker's last release tag, the value docker-machine compares against while GitHub answers.</summary>
    public const string UpstreamLatestTag = "v19.03.12";

    /// <summary>Size of the ISO 9660 volume identifier field.</summary>
    public const int MaxBytes = 32;

    /// <summary>docker-machine's error text when the label has no "-v".</summary>
    public const string MissingPrefixError = "Did not find prefix \"-v\" in version string";

    private static ReadOnlySpan<byte> VersionPrefix => "-v"u8;

    /// <summary>The label the build writes for an engine version: <c>VolumeLabel.For(LabelStrategy.Truthful, "20.10.24")</c> = "b2d-v20.10.24".</summary>
    public static string For(LabelStrategy strategy, string engineVersion)
    {
        ArgumentNullException.ThrowIfNull(engineVersion);
        var version = EngineVersion.WithoutPrefix(engineVersion);

        if (version.Length == 0 || version.Any(c => c is <= ' ' or > '~'))
        {
            throw new InvalidVolumeLabelException(
                "engine version", $"'{engineVersion}'",
                "must be non-empty printable ASCII without spaces, because it becomes the version docker-machine reads from the volume label");
        }

        var label = strategy switch
        {
            LabelStrategy.Truthful => "b2d-v" + version,
            LabelStrategy.UpstreamTag => "b2d-" + UpstreamLatestTag,
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown label strategy"),
        };
        Validate(label);
        return label;
    }

    /// <summary>Checks that a label fits the volume identifier and that docker-machine can parse its version.</summary>
    public static void Validate(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var bytes = Encoding.UTF8.GetByteCount(label);
        if (bytes > MaxBytes)
        {
            throw new InvalidVolumeLabelException(
                "volume label", $"'{label}'",
                $"is {bytes} bytes but the ISO volume identifier holds {MaxBytes}; docker-machine reads exactly those {MaxBytes} bytes at 0x8028, " +
                "so a cut-off label yields a cut-off version that never equals a release tag (the cached ISO would be replaced whenever GitHub is reachable). " +
                "Use a shorter engine version or the UpstreamTag label strategy.");
        }

        if (!TryParseVersion(label, out _, out var error))
        {
            throw new InvalidVolumeLabelException(
                "volume label", $"'{label}'",
                $"docker-machine cannot read a version from it ({error}): offline 'docker-machine create' would fail and online it would download upstream's ISO every time");
        }
    }

    /// <summary>The version docker-machine reads from a label: <c>ParseVersion("b2d-v19.03.12")</c> = "v19.03.12".</summary>
    /// <exception cref="InvalidVolumeLabelException">The label has no "-v".</exception>
    public static string ParseVersion(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return TryParseVersion(label, out var version, out var error)
            ? version!
            : throw new InvalidVolumeLabelException("volume label", $"'{label}'", error!);
    }

    public static bool TryParseVersion(string label, out string? version, out string? error)
    {
        ArgumentNullException.ThrowIfNull(label);
        return TryParseVersion(Encoding.UTF8.GetBytes(label), out version, out error);
    }

    /// <summary>The same rule on the raw 32 bytes of the volume identifier field.</summary>
    internal static bool TryParseVersion(ReadOnlySpan<byte> field, out string? version, out string? error)
    {
        var trimmed = TrimSpaceLikeGo(field);
        var index = trimmed.IndexOf(VersionPrefix);
        if (index < 0)
        {
            version = null;
            error = MissingPrefixError;
            return false;
        }

        // Go keeps the raw bytes; invalid UTF-8 can only become U+FFFD here, which never equals a tag either way.
        version = Encoding.UTF8.GetString(trimmed[(index + 1)..]);
        error = null;
        return true;
    }

    /// <summary>The trimmed label text, as docker-machine holds it before looking for "-v".</summary>
    internal static string TrimmedText(ReadOnlySpan<byte> field) => Encoding.UTF8.GetString(TrimSpaceLikeGo(field));

    /// <summary>
    /// Go's strings.TrimSpace: strips leading and trailing Unicode white space (decoded as UTF-8; invalid bytes are not
    /// space). NUL is not white space, so a NUL-padded label keeps its padding, and docker-machine compares it as such.
    /// </summary>
    private static ReadOnlySpan<byte> TrimSpaceLikeGo(ReadOnlySpan<byte> text)
    {
        while (!text.IsEmpty && System.Text.Rune.DecodeFromUtf8(text, out var rune, out var consumed) == System.Buffers.OperationStatus.Done && System.Text.Rune.IsWhiteSpace(rune))
        {
            text = text[consumed..];
        }

        while (!text.IsEmpty && System.Text.Rune.DecodeLastFromUtf8(text, out var rune, out var consumed) == System.Buffers.OperationStatus.Done && System.Text.Rune.IsWhiteSpace(rune))
        {
            text = text[..^consumed];
        }

        return text;
    }

    /// <summary>Shows NULs and other control bytes visibly, for messages about what docker-machine will compare.</summary>
    internal static string Visible(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c < ' ' ? builder.Append(c == '\0' ? "\\0" : $"\\x{(int)c:x2}") : builder.Append(c);
        }

        return builder.ToString();
    }
}
