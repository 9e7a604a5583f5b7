using System.Text.RegularExpressions;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>Serial console text made readable: ISOLINUX's terminal escape sequences and carriage returns removed.</summary>
internal static partial class ConsoleText
{
    public static string Clean(string text) => EscapeSequence().Replace(text, "").Replace("\r", "", StringComparison.Ordinal);

    [GeneratedRegex(@"\x1B(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")]
    private static partial Regex EscapeSequence();
}
