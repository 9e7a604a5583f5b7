using System.Globalization;
using System.Text;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>One check and its outcome; <paramref name="At"/> is the time since the VM started.</summary>
internal sealed record VerificationRow(string Boot, string Check, bool Passed, TimeSpan At, string Detail);

/// <summary>Every row of a Verify run; it passed only when every row did.</summary>
internal sealed class VerificationReport
{
    private readonly List<VerificationRow> _rows = [];
    private readonly Dictionary<string, string> _consoles = new(StringComparer.Ordinal);

    public IReadOnlyList<VerificationRow> Rows => _rows;

    public bool Passed => _rows.Count > 0 && _rows.All(r => r.Passed);

    /// <summary>Boot to SSH and to a ready daemon, by boot, for the bench.</summary>
    public Dictionary<string, TimeSpan> Milestones { get; } = new(StringComparer.Ordinal);

    internal void Add(VerificationRow row) => _rows.Add(row);

    internal void AddConsole(string boot, string excerpt) => _consoles[boot] = excerpt;

    public IEnumerable<VerificationRow> Failed => _rows.Where(r => !r.Passed);

    public string ToText()
    {
        var text = new StringBuilder();
        var checkWidth = Math.Max(5, _rows.Select(r => r.Check.Length).DefaultIfEmpty(0).Max());
        var bootWidth = Math.Max(4, _rows.Select(r => r.Boot.Length).DefaultIfEmpty(0).Max());
        text.AppendLine(CultureInfo.InvariantCulture, $"{"boot".PadRight(bootWidth)}  {"check".PadRight(checkWidth)}  result  {"at",7}  detail");
        foreach (var row in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{row.Boot.PadRight(bootWidth)}  {row.Check.PadRight(checkWidth)}  {(row.Passed ? "ok    " : "FAILED")}  {row.At.TotalSeconds,6:0.0}s  {row.Detail}");
        }

        foreach (var boot in _rows.Where(r => !r.Passed).Select(r => r.Boot).Distinct(StringComparer.Ordinal))
        {
            if (_consoles.TryGetValue(boot, out var console))
            {
                text.AppendLine($"--- serial console of the {boot} boot (last lines) ---").AppendLine(console).AppendLine("--- end of console ---");
            }
        }

        return text.ToString();
    }
}
