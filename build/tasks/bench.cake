// Bench: whole-process benchmarks (ours beside xorriso and cp on the same inputs), reported as ratios.
Task("Bench")
    .Description("Times the native remaster and the ISO builder against xorriso and cp, and Verify's boots (TCG); writes artifacts/bench/results.md (--quick: one run each; only Verify: dotnet run -c Release --project bench/Boot2IsoKit.Bench -- verify).")
    .Does(() =>
    {
        var exitCode = StartProcess("dotnet", new ProcessSettings
        {
            Arguments = "run -c Release --project bench/Boot2IsoKit.Bench -- run" + (HasArgument("quick") ? " --quick" : ""),
            WorkingDirectory = MakeAbsolute(Directory("..")),
        });
        if (exitCode != 0)
        {
            throw new Exception($"The benchmark failed (exit code {exitCode}).");
        }
    });
