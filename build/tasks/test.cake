// Test (run by build/dev.cake): builds the solution and runs every test; prints the closing
// "N passed, N failed, N skipped" line.
Task("Test")
    .Does(() =>
    {
        var results = MakeAbsolute(Directory("../artifacts/test-results")).FullPath;
        CleanDirectory(results);
        var exitCode = StartProcess("dotnet", new ProcessSettings
        {
            Arguments = $"test --solution Boot2IsoKit.sln --results-directory \"{results}\" --report-xunit-trx --report-xunit-trx-filename results.trx --no-progress",
            WorkingDirectory = MakeAbsolute(Directory("..")),
            // Builds the tests run (./build.sh in a child process) print no ANSI colours: a failure message that
            // quotes their output would carry ESC characters, which XML cannot hold, and the TRX writer stops there.
            EnvironmentVariables = new Dictionary<string, string> { ["NO_COLOR"] = "1" },
        });
        var trx = GetFiles(results + "/**/*.trx").Select(f => f.FullPath).ToList();
        var summary = Boot2IsoKit.Testing.Reports.TestRunSummary.FromTrxFiles(trx);
        Information(summary.ToString());
        if (exitCode != 0 || summary.Failed > 0 || trx.Count == 0)
        {
            throw new Exception($"Tests failed (dotnet test exit code {exitCode}, {trx.Count} result file(s)).");
        }
    });
