using System.Globalization;
using Boot2IsoKit.Errors;

namespace Boot2IsoKit.IO;

/// <summary>
/// SOURCE_DATE_EPOCH (reproducible-builds.org's specification): seconds since 1970-01-01 UTC as a decimal
/// integer; when set, it is the date every output carries. Read once where a run starts and passed down.
/// </summary>
public static class SourceDate
{
    public const string EnvironmentVariable = "SOURCE_DATE_EPOCH";

    /// <exception cref="InvalidInputException">Set, but not a decimal number of seconds.</exception>
    public static long? FromEnvironment(Func<string, string?>? environment = null)
    {
        var text = (environment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : throw new InvalidInputException(EnvironmentVariable, $"'{text}'", "must be a number of seconds since 1970-01-01 UTC");
    }
}
