using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Model.Layouts;

/// <summary>
/// A boot2docker release version, the one reader of it: a tag or a bare version (<c>v19.03.12</c>, <c>19.03.12</c>,
/// <c>v18.06.1-ce</c>, <c>v1.12.0-rc4</c>, a fork's <c>v20.10.8-xfs</c>; a missing patch number reads as 0). The numbers
/// decide the image layout and the ISO script's history; what follows them (<see cref="Suffix"/>) is kept as written.
/// Engine versions are <c>EngineVersion</c> (Inputs/Engines): boot2docker tags follow the engine's numbers but forks add
/// their own suffixes, so the two are read apart.
/// </summary>
internal sealed partial class Boot2DockerVersion : IComparable<Boot2DockerVersion>, IEquatable<Boot2DockerVersion>
{
    /// <summary>18.09.0 rewrote the build ("Replace existing boot2docker with new code", commit c2b60ab).</summary>
    private static readonly (int, int) NewCodeSince = (18, 9);

    private Boot2DockerVersion(string text, int major, int minor, int patch, string suffix)
    {
        Text = text;
        Major = major;
        Minor = minor;
        Patch = patch;
        Suffix = suffix;
    }

    public int Major { get; }

    public int Minor { get; }

    public int Patch { get; }

    /// <summary>Everything after the numbers (<c>-ce</c>, <c>-rc4</c>, a fork's <c>-xfs</c>), or "".</summary>
    public string Suffix { get; }

    /// <summary>The release tag as boot2docker spells it: <c>v19.03.12</c>.</summary>
    public string Tag => "v" + Text;

    /// <summary>The image and ISO layout of the release: <see cref="IsoLayout.New"/> from 18.09.0 on, else <see cref="IsoLayout.Old"/>.</summary>
    public IsoLayout Layout => (Major, Minor).CompareTo(NewCodeSince) >= 0 ? IsoLayout.New : IsoLayout.Old;

    private string Text { get; }

    /// <exception cref="InvalidInputException">The text does not start with a version number.</exception>
    public static Boot2DockerVersion Parse(string? text) =>
        TryParse(text, out var version)
            ? version
            : throw new InvalidInputException("boot2docker version", $"'{text}'", "does not start with a version number such as v19.03.12");

    public static bool TryParse(string? text, out Boot2DockerVersion version)
    {
        version = null!;
        var match = Pattern().Match(text ?? "");
        if (!match.Success || !Number(match.Groups["major"], out var major) || !Number(match.Groups["minor"], out var minor)
            || !Number(match.Groups["patch"], out var patch))
        {
            return false;
        }

        version = new Boot2DockerVersion(match.Groups["text"].Value, major, minor, patch, match.Groups["suffix"].Value);
        return true;
    }

    /// <summary>Reads only the tag form, with its "v" (<c>v19.03.12</c>), as a recipe's <c>release:</c> names it.</summary>
    public static bool TryParseTag(string? text, out Boot2DockerVersion version) =>
        TryParse(text, out version) && text!.TrimStart().StartsWith('v');

    private static bool Number(Group group, out int value)
    {
        value = 0;
        return !group.Success || int.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Orders by the numbers, then by the suffix (ordinal): the order of the releases a fork and upstream share.</summary>
    public int CompareTo(Boot2DockerVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byNumber = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        return byNumber != 0 ? byNumber : string.CompareOrdinal(Suffix, other.Suffix);
    }

    /// <summary>True from <paramref name="major"/>.<paramref name="minor"/>.<paramref name="patch"/> on (whatever the suffix).</summary>
    public bool IsAtLeast(int major, int minor, int patch) => (Major, Minor, Patch).CompareTo((major, minor, patch)) >= 0;

    public bool Equals(Boot2DockerVersion? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Boot2DockerVersion);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <summary>The version without the tag's "v": <c>19.03.12</c>.</summary>
    public override string ToString() => Text;

    public static bool operator <(Boot2DockerVersion left, Boot2DockerVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(Boot2DockerVersion left, Boot2DockerVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(Boot2DockerVersion left, Boot2DockerVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Boot2DockerVersion left, Boot2DockerVersion right) => left.CompareTo(right) >= 0;

    public static bool operator ==(Boot2DockerVersion? left, Boot2DockerVersion? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(Boot2DockerVersion? left, Boot2DockerVersion? right) => !(left == right);

    // v19.03.12, 18.06.1-ce, v1.12.0-rc4, v20.10.8-xfs, v18.06 (no patch).
    [GeneratedRegex(@"^\s*[vV]?(?<text>(?<major>\d{1,9})\.(?<minor>\d{1,9})(?:\.(?<patch>\d{1,9}))?(?<suffix>(?:[^0-9.\s]\S*)?))\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
