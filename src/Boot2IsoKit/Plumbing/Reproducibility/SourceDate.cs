using System.Globalization;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Plumbing.Reproducibility;

/// <summary>
/// SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/), the one reader of it. It is read
/// once, where a run starts, and the time is passed down; no format writer reads the environment.
/// The value is decimal seconds since 1970-01-01 UTC (what <c>date +%s</c> prints): digits only, no sign, no
/// fraction, at most the end of year 9999. Unset or empty means "not set"; anything else is refused, naming the
/// variable, rather than silently falling back to another date.
/// Usage: <c>var date = SourceDate.FromEnvironment() ?? newestInputDate;</c>
/// </summary>
internal static class SourceDate
{
    public const string VariableName = "SOURCE_DATE_EPOCH";

    /// <summary>9999-12-31T23:59:59Z, the last second a <see cref="DateTimeOffset"/> holds.</summary>
    private const long MaxSeconds = 253402300799;

    /// <summary>The process environment's SOURCE_DATE_EPOCH, or null when unset.</summary>
    /// <exception cref="InvalidInputException">The variable is set but is not decimal seconds.</exception>
    public static DateTimeOffset? FromEnvironment() => Read(Environment.GetEnvironmentVariable);

    /// <summary>SOURCE_DATE_EPOCH from <paramref name="environment"/> (a variable lookup), or null when unset.</summary>
    /// <exception cref="InvalidInputException">The variable is set but is not decimal seconds.</exception>
    public static DateTimeOffset? Read(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var text = environment(VariableName);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= MaxSeconds
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new InvalidInputException(VariableName, $"'{text}'", "must be a number of seconds since 1970-01-01 UTC (as date +%s prints)");
    }
}
