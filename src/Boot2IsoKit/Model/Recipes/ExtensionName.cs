namespace Boot2IsoKit.Model.Recipes;

/// <summary>
/// The rule for a Tiny Core extension's name, owned here so the recipe loader can check a recipe's
/// <c>extensions:</c> without the fetching code; Inputs/TinyCore/ExtensionResolver applies it to the
/// names it is asked for and to those it reads from .dep files.
/// </summary>
internal static class ExtensionName
{
    /// <summary>
    /// "NAME.tcz" or "NAME" as tce-load takes it (it appends ".tcz"); a name is one file name on the mirror,
    /// so '/', whitespace, control characters and ".." are refused.
    /// </summary>
    /// <returns>The name with ".tcz", or null when <paramref name="text"/> is not one (see <see cref="Problem"/>).</returns>
    public static string? Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = text.EndsWith(".tcz", StringComparison.Ordinal) ? text : text + ".tcz";
        if (name.Length <= ".tcz".Length || name.Length > 255 || name.StartsWith('.') || name.Contains("..", StringComparison.Ordinal)
            || name.Any(c => c is '/' or '\\' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return null;
        }

        return name;
    }

    /// <summary>What is wrong with a <paramref name="text"/> that <see cref="Normalize"/> refused.</summary>
    public static string Problem(string text) => $"'{text}' is not an extension name (one file name such as ipvsadm.tcz)";
}
