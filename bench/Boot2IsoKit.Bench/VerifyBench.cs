using System.Globalization;
using System.Text;
using Boot2IsoKit.Stages.Pipeline;
using Boot2IsoKit.Stages.Verification;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;

namespace Boot2IsoKit.Bench;

/// <summary>
/// Verify's wall time under TCG, per layout: an ISO built (untimed) by the native builder from the fixture with
/// Debian's docker.io 20.10.24 pinned (with its libraries) and ipvsadm injected, then booted as docker-machine does
/// (CD-ROM plus userdata disk) in its own process. The report's milestones give boot to SSH and boot to a ready daemon.
/// </summary>
internal static class VerifyBench
{
    /// <summary>The issue's goal for a whole Verify boot.</summary>
    private static readonly TimeSpan Goal = TimeSpan.FromSeconds(90);

    public sealed record Result(FixtureLayout Layout, Measurement Whole, TimeSpan Ssh, TimeSpan Daemon);

    public static async Task<List<Result>> MeasureAsync(string work, string self, Func<string[], string[]> selfArguments)
    {
        var engine = await DebianTestEngine.GetAsync();
        var results = new List<Result>();
        foreach (var layout in new[] { FixtureLayout.New, FixtureLayout.Old })
        {
            var fixture = await FixtureIsos.GetAsync(layout);
            var name = layout == FixtureLayout.New ? "new" : "old";
            var recipe = Path.Combine(work, $"verify-{name}.yml");
            File.WriteAllText(recipe, $"""
                name: bench-verify-{name}
                base:
                  iso: {fixture.IsoPath}
                {engine.RecipeBlock()}
                packages:
                  - deb: ipvsadm
                    suite: bookworm
                    binaries: [/sbin/ipvsadm]

                """);
            var iso = Path.Combine(work, $"verify-{name}.iso");
            Console.WriteLine($"building the {name}-layout ISO for Verify (not timed)");
            Measurement.Run("build for verify", self, selfArguments(["remaster", recipe, "append", iso]));

            Console.WriteLine($"measuring Verify of the {name}-layout ISO (one boot, TCG)");
            var milestones = Path.Combine(work, $"verify-{name}.milestones");
            var whole = Measurement.Run($"Verify, {name} layout, CD + userdata disk, TCG (whole process)", self, selfArguments(["verify", iso, milestones]));
            var times = File.ReadAllLines(milestones).Select(l => l.Split('=')).ToDictionary(p => p[0], p => TimeSpan.FromSeconds(double.Parse(p[1], CultureInfo.InvariantCulture)), StringComparer.Ordinal);
            results.Add(new Result(layout, whole, times["ssh"], times["daemon"]));
        }

        return results;
    }

    /// <summary>The "verify ISO MILESTONES" case: one CD + disk boot; writes ssh=SECONDS and daemon=SECONDS; fails when a row fails.</summary>
    public static async Task<int> RunCaseAsync(string iso, string milestonesFile)
    {
        var facts = BuildRecord.ForIso(iso)?.Verify ?? throw new InvalidOperationException($"{iso} has no build record with Verify facts");
        var report = await new IsoVerifier(new VerifyOptions { Boots = [VmBootMedium.CdRomWithDataDisk] }, _ => { }).VerifyAsync(iso, facts);
        if (!report.Passed)
        {
            Console.Error.WriteLine(report.ToText());
            return 1;
        }

        var boot = report.Rows[0].Boot;
        File.WriteAllLines(milestonesFile, [
            string.Create(CultureInfo.InvariantCulture, $"ssh={report.Milestones[$"{boot}: ssh"].TotalSeconds:0.0}"),
            string.Create(CultureInfo.InvariantCulture, $"daemon={report.Milestones[$"{boot}: daemon"].TotalSeconds:0.0}"),
        ]);
        return 0;
    }

    /// <summary>The table rows: boot to SSH, boot to daemon ready (against the goal), the whole process.</summary>
    public static void AppendRows(StringBuilder table, IEnumerable<Result> results)
    {
        foreach (var r in results)
        {
            var layout = r.Layout == FixtureLayout.New ? "new" : "old";
            table.AppendLine(CultureInfo.InvariantCulture, $"| Verify, {layout} layout, TCG: boot to SSH (one boot) | {r.Ssh.TotalSeconds:0.0} | | |");
            table.AppendLine(CultureInfo.InvariantCulture, $"| Verify, {layout} layout, TCG: boot to daemon ready (one boot) | {r.Daemon.TotalSeconds:0.0} | | goal ≤ {Goal.TotalSeconds:0} s: {(r.Daemon <= Goal ? "met" : "not met")} |");
            table.AppendLine(CultureInfo.InvariantCulture, $"| Verify, {layout} layout, TCG: every row, VM stopped (whole process) | {r.Whole.Seconds:0.00} | {r.Whole.PeakKilobytes / 1024.0:0} | peak RSS: the largest process, QEMU included |");
        }
    }
}
