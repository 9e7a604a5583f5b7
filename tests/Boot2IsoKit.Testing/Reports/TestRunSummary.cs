using System.Globalization;
using System.Xml.Linq;

namespace Boot2IsoKit.Testing.Reports;

/// <summary>
/// Counts read from the TRX files a test run wrote, rendered as the one closing line CI reads:
/// "N passed, N failed, N skipped".
/// </summary>
public sealed record TestRunSummary(int Passed, int Failed, int Skipped)
{
    public static TestRunSummary FromTrxFiles(IEnumerable<string> trxFiles)
    {
        ArgumentNullException.ThrowIfNull(trxFiles);
        int passed = 0, failed = 0, skipped = 0;
        foreach (var file in trxFiles)
        {
            var results = XDocument.Load(file).Descendants().Where(e => e.Name.LocalName == "UnitTestResult");
            foreach (var outcome in results.Select(r => (string?)r.Attribute("outcome")))
            {
                switch (outcome)
                {
                    case "Passed":
                        passed++;
                        break;
                    case "NotExecuted":
                    case "Skipped":
                        skipped++;
                        break;
                    default:
                        failed++;
                        break;
                }
            }
        }

        return new TestRunSummary(passed, failed, skipped);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Passed} passed, {Failed} failed, {Skipped} skipped");
}
