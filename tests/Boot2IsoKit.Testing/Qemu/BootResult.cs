using System.Globalization;
using Boot2IsoKit.Testing.Fixtures;

namespace Boot2IsoKit.Testing.Qemu;

/// <summary>What a fixture-style ISO printed on its serial console (see <see cref="FixtureMarkers"/>).</summary>
/// <param name="Console">The whole serial console; line ends normalised to \n, terminal escape sequences removed.</param>
/// <param name="ReachedDone">The console shows <c>B2IK-DONE</c>: /init ran every section.</param>
/// <param name="TimedOut">The VM was killed because it did not power off in time.</param>
internal sealed record BootResult(string Console, bool ReachedDone, bool TimedOut)
{
    /// <summary>The output of a section: the lines between <c>B2IK-BEGIN name</c> and <c>B2IK-END name rc=N</c>.</summary>
    public string Section(string name) => FindSection(name).Text;

    /// <summary>The exit code the section's command returned.</summary>
    public int SectionExitCode(string name) => FindSection(name).ExitCode;

    /// <summary>The last lines of the console, for assertion messages.</summary>
    public string Excerpt(int lines = 60)
    {
        var all = Lines();
        var start = Math.Max(0, all.Length - lines);
        var state = TimedOut ? "timed out" : ReachedDone ? "reached B2IK-DONE" : "stopped before B2IK-DONE";
        return $"--- QEMU console ({state}), last {all.Length - start} of {all.Length} lines ---\n"
            + string.Join('\n', all[start..]) + "\n--- end of console ---";
    }

    private (string Text, int ExitCode) FindSection(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var lines = Lines();
        var begin = Array.IndexOf(lines, FixtureMarkers.BeginLine(name));
        if (begin < 0)
        {
            throw new BootAssertionException($"The console has no '{FixtureMarkers.BeginLine(name)}' line.\n{Excerpt()}");
        }

        var endPrefix = FixtureMarkers.EndLinePrefix(name);
        for (var i = begin + 1; i < lines.Length; i++)
        {
            if (lines[i].StartsWith(endPrefix, StringComparison.Ordinal)
                && int.TryParse(lines[i].AsSpan(endPrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exitCode))
            {
                return (string.Join('\n', lines[(begin + 1)..i]), exitCode);
            }
        }

        throw new BootAssertionException($"Section '{name}' began but has no '{endPrefix}N' line.\n{Excerpt()}");
    }

    private string[] Lines() => Console.Split('\n');
}
