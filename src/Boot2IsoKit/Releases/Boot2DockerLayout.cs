using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Errors;

namespace Boot2IsoKit.Releases;

/// <summary>
/// The two ways boot2docker built its ISO (research boot2docker.md §1): the legacy layout up to v18.06.x
/// (kernel <c>/boot/vmlinuz64</c>, ISOLINUX in <c>/boot/isolinux</c>) and the rewrite from v18.09.0
/// (kernel <c>/boot/vmlinuz</c>, ISOLINUX in <c>/isolinux</c>).
/// </summary>
public sealed partial record Boot2DockerLayout(string Name, string KernelPath, string IsolinuxDirectory)
{
    public static Boot2DockerLayout Old { get; } = new("old", "/boot/vmlinuz64", "/boot/isolinux");

    public static Boot2DockerLayout New { get; } = new("new", "/boot/vmlinuz", "/isolinux");

    /// <summary>From a release tag or version (<c>v18.06.1-ce</c> → Old, <c>v19.03.12</c> → New); forks' suffixes are ignored.</summary>
    public static Boot2DockerLayout For(string tagOrVersion)
    {
        var match = LeadingNumbers().Match(tagOrVersion ?? string.Empty);
        if (!match.Success
            || !int.TryParse(match.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(match.Groups["minor"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            throw new InvalidInputException("boot2docker version", $"'{tagOrVersion}'", "does not start with a version number such as v19.03.12");
        }

        return (major, minor).CompareTo((18, 9)) >= 0 ? New : Old;
    }

    public override string ToString() => Name;

    [GeneratedRegex(@"^\s*[vV]?(?<major>\d{1,9})\.(?<minor>\d{1,9})", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingNumbers();
}
