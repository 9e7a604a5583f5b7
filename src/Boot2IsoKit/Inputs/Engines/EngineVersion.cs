using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Engines;

/// <summary>
/// A Docker engine version from any era: SemVer-like 1.x (<c>1.9.1</c>, <c>1.12.0-rc4</c>,
/// <c>1.12.2-experimental</c>), CalVer with an edition (<c>17.06.0-ce</c>, <c>17.04.0-ce-rc2</c>),
/// CalVer without one (<c>18.09.0-beta3</c>, <c>19.03.12</c>), today's numbers (<c>27.3.1</c>),
/// master builds (<c>17.06.0-dev</c>) and nightly builds (<c>0.0.0-20190625103807-bc76fbb</c>).
/// <see cref="ToString"/> gives the text exactly as download sites spell it (without a leading "v").
/// </summary>
internal sealed partial class EngineVersion : IComparable<EngineVersion>, IEquatable<EngineVersion>
{
    private EngineVersion(string text, int major, int minor, int patch, string? edition, EnginePrerelease? prerelease, bool experimental, bool dev, string? nightlyStamp)
    {
        Text = text;
        Major = major;
        Minor = minor;
        Patch = patch;
        Edition = edition;
        Prerelease = prerelease;
        IsExperimental = experimental;
        IsDev = dev;
        NightlyStamp = nightlyStamp;
    }

    public int Major { get; }

    public int Minor { get; }

    public int Patch { get; }

    /// <summary>"ce" or "ee" for 17.03–18.09-era versions, else null.</summary>
    public string? Edition { get; }

    /// <summary>rc/beta/tp and its number, or null for a final release.</summary>
    public EnginePrerelease? Prerelease { get; }

    /// <summary>The 1.x-era "-experimental" builds (experimental became a daemon flag in 1.13).</summary>
    public bool IsExperimental { get; }

    /// <summary>A build of master ("-dev").</summary>
    public bool IsDev { get; }

    /// <summary>The timestamp-and-commit part of a nightly build (<c>0.0.0-20190625103807-bc76fbb</c>).</summary>
    public string? NightlyStamp { get; }

    public bool IsNightly => NightlyStamp is not null;

    /// <summary>A final release: no rc/beta/tp, not a dev, nightly or experimental build.</summary>
    public bool IsFinal => Prerelease is null && !IsExperimental && !IsDev && !IsNightly;

    /// <summary>CalVer versions (17.03 onwards) rather than the 1.x numbering.</summary>
    public bool IsCalendarVersion => Major >= 17;

    /// <summary>
    /// Up to 1.10 the engine shipped as one binary (the raw <c>docker-1.10.3</c>, or <c>usr/local/bin/docker</c> in a tgz,
    /// hence boot2docker's <c>--strip-components=3</c>); from 1.11 the tgz holds <c>docker/&lt;binaries&gt;</c>
    /// (<c>--strip-components=1</c>). Nightly builds are numbered 0.0.0 but are today's layout.
    /// </summary>
    public bool ShipsAsSingleBinary => !IsNightly && (Major, Minor).CompareTo((1, 10)) <= 0;

    private string Text { get; }

    public static EngineVersion Parse(string text)
    {
        if (TryParse(text, out var version, out var problem))
        {
            return version;
        }

        throw new InvalidInputException("engine version", $"'{text}'", problem);
    }

    public static bool TryParse(string? text, out EngineVersion version) => TryParse(text, out version, out _);

    /// <summary>
    /// Reads only the text as download sites spell it (<c>20.10.24</c>: no "v", no white space), the way a recipe's
    /// <c>engine: version:</c> and a <c>docker-20.10.24.tgz</c> file name give it, since that text names the download.
    /// </summary>
    public static bool TryParseExact(string? text, out EngineVersion version) =>
        TryParse(text, out version) && string.Equals(version.Text, text, StringComparison.Ordinal);

    private static bool TryParse(string? text, out EngineVersion version, out string problem)
    {
        version = null!;
        var trimmed = WithoutPrefix(text);

        var nightly = NightlyPattern().Match(trimmed);
        if (nightly.Success)
        {
            version = new EngineVersion(trimmed, 0, 0, 0, null, null, false, false, nightly.Groups["stamp"].Value);
            problem = string.Empty;
            return true;
        }

        var match = VersionPattern().Match(trimmed);
        if (!match.Success)
        {
            problem = "not an engine version (expected forms such as 1.12.0-rc4, 17.06.0-ce, 18.09.0-beta3, 27.3.1)";
            return false;
        }

        if (!TryNumber(match.Groups["major"].Value, out var major) || !TryNumber(match.Groups["minor"].Value, out var minor)
            || !TryNumber(match.Groups["patch"].Value, out var patch))
        {
            problem = "a version number is too large";
            return false;
        }

        EnginePrerelease? prerelease = null;
        if (match.Groups["pre"].Success)
        {
            var kind = match.Groups["pre"].Value.ToLowerInvariant() switch
            {
                "rc" => EnginePrereleaseKind.ReleaseCandidate,
                "beta" => EnginePrereleaseKind.Beta,
                _ => EnginePrereleaseKind.TechPreview,
            };
            if (!TryNumber(match.Groups["preNumber"].Value, out var number))
            {
                problem = "the pre-release number is too large";
                return false;
            }

            prerelease = new EnginePrerelease(kind, number);
        }

        var edition = match.Groups["edition"].Success ? match.Groups["edition"].Value.ToLowerInvariant() : null;
        version = new EngineVersion(trimmed, major, minor, patch, edition, prerelease, match.Groups["experimental"].Success, match.Groups["dev"].Success, null);
        problem = string.Empty;
        return true;
    }

    /// <summary>
    /// The text as download sites spell it: surrounding white space and one leading "v" or "V" (a tag's, as in
    /// <c>v19.03.12</c>) removed. For text that is used as a version without being parsed, such as a volume label.
    /// </summary>
    public static string WithoutPrefix(string? text)
    {
        var trimmed = (text ?? string.Empty).Trim();
        return trimmed.StartsWith('v') || trimmed.StartsWith('V') ? trimmed[1..] : trimmed;
    }

    private static bool TryNumber(string digits, out int value) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// Orders by number, then pre-releases (tp &lt; beta &lt; rc) before the final release; nightly builds
    /// (numbered 0.0.0) order by their timestamp. The edition and the experimental flag do not change the order.
    /// </summary>
    public int CompareTo(EngineVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byNumber = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (byNumber != 0)
        {
            return byNumber;
        }

        if (IsNightly || other.IsNightly)
        {
            return string.CompareOrdinal(NightlyStamp ?? string.Empty, other.NightlyStamp ?? string.Empty);
        }

        // dev builds of a number come before its pre-releases, which come before the release.
        var byStage = Stage(this).CompareTo(Stage(other));
        if (byStage != 0)
        {
            return byStage;
        }

        return (Prerelease?.Number ?? 0).CompareTo(other.Prerelease?.Number ?? 0);
    }

    private static int Stage(EngineVersion v) => v.IsDev ? 0 : v.Prerelease is { } p ? 1 + (int)p.Kind : 10;

    public bool Equals(EngineVersion? other) => other is not null && string.Equals(Text, other.Text, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => Equals(obj as EngineVersion);

    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Text);

    public override string ToString() => Text;

    public static bool operator <(EngineVersion left, EngineVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(EngineVersion left, EngineVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(EngineVersion left, EngineVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EngineVersion left, EngineVersion right) => left.CompareTo(right) >= 0;

    public static bool operator ==(EngineVersion? left, EngineVersion? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(EngineVersion? left, EngineVersion? right) => !(left == right);

    // 17.04.0-ce-rc2, 18.09.0-ce-beta1, 18.09.0-beta3, 1.12.0-rc4, 1.12.2-experimental, 17.06.0-dev.
    [GeneratedRegex(@"^(?<major>\d{1,9})\.(?<minor>\d{1,9})\.(?<patch>\d{1,9})(?:-(?<edition>ce|ee))?(?:-(?<pre>rc|beta|tp)\.?(?<preNumber>\d{1,9}))?(?:-(?<experimental>experimental)|-(?<dev>dev))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^0\.0\.0-(?<stamp>\d{14}-[0-9a-f]{7,40})$", RegexOptions.CultureInvariant)]
    private static partial Regex NightlyPattern();
}
