using System.Text.RegularExpressions;
using Boot2IsoKit.Formats.OsRelease;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.TinyCore;

/// <summary>
/// Where a Tiny Core release's extensions are: <c>&lt;mirror&gt;/&lt;major&gt;.x/&lt;build&gt;/tcz/</c>, the URL
/// tce-load builds (Core-scripts' etc/init.d/tc-functions getMirror, from /opt/tcemirror). The mirror is
/// the official site unless the recipe or <see cref="MirrorVariable"/> names another; boot2docker's
/// userland is always x86_64 (since boot2docker 1.7.0).
/// </summary>
internal sealed partial record TinyCoreMirror(Uri Mirror, int MajorVersion, string Build = TinyCoreMirror.DefaultBuild)
{
    /// <summary>Tiny Core's own site, as /opt/tcemirror ships it.</summary>
    public static readonly Uri DefaultMirror = new("http://tinycorelinux.net/");

    public const string MirrorVariable = "B2IK_TINYCORE_MIRROR";
    public const string DefaultBuild = "x86_64";

    /// <summary>The directory of .tcz, .tcz.dep and .tcz.md5.txt files.</summary>
    public Uri ExtensionDirectory => new(WithSlash(Mirror), FormattableString.Invariant($"{MajorVersion}.x/{Build}/tcz/"));

    public Uri ExtensionUrl(string fileName) => new(ExtensionDirectory, Uri.EscapeDataString(fileName));

    /// <summary>The recipe's mirror, else the environment's, else the official site.</summary>
    public static Uri ChooseMirror(string? recipeMirror, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var text = recipeMirror ?? environment(MirrorVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultMirror;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
        {
            throw new InvalidInputException(recipeMirror is null ? MirrorVariable : "recipe tinycore-mirror", text, "not an http, https or file URL");
        }

        return uri;
    }

    /// <summary>
    /// The Tiny Core major version of a base rootfs. Tiny Core up to 11 reads it from
    /// usr/share/doc/tc/release.txt ("10.1": tc-functions' getMajorVer printed its integer part); later
    /// ones from /etc/os-release VERSION_ID. boot2docker replaces /etc/os-release with its own (VERSION_ID is
    /// the Docker version there) but keeps "(TCL 10.1)" in PRETTY_NAME, the last place looked at.
    /// </summary>
    /// <param name="readRootfsText">Text of a rootfs file (relative path), or null when absent.</param>
    /// <returns>The major version, or null when the rootfs does not say.</returns>
    public static int? DetectMajorVersion(Func<string, string?> readRootfsText)
    {
        ArgumentNullException.ThrowIfNull(readRootfsText);
        if (readRootfsText("usr/share/doc/tc/release.txt") is { } release && LeadingVersion().Match(release) is { Success: true } m)
        {
            return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (readRootfsText("etc/os-release") is { } text)
        {
            var osRelease = OsReleaseFile.Parse(text);
            if (osRelease["ID"] == "tinycore" && osRelease["VERSION_ID"] is { } id && LeadingVersion().Match(id) is { Success: true } v)
            {
                return int.Parse(v.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (osRelease["PRETTY_NAME"] is { } pretty && TclInPrettyName().Match(pretty) is { Success: true } p)
            {
                return int.Parse(p.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    [GeneratedRegex(@"^\s*(\d{1,3})(\.\d+)*\b")]
    private static partial Regex LeadingVersion();

    [GeneratedRegex(@"\(TCL (\d{1,3})(\.\d+)*\)")]
    private static partial Regex TclInPrettyName();
}
