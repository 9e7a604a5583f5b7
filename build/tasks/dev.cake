// Test and Fixtures: listed here with the other targets, run by build/dev.cake in a second Cake process
// that builds and loads the test-support assembly. The main targets start without it.

void RunDevTarget(string target)
{
    var root = MakeAbsolute(Directory(".."));
    Run(root, "build tests/Boot2IsoKit.Testing/Boot2IsoKit.Testing.csproj -c Release -o artifacts/cake-dev -v quiet -nologo -clp:NoSummary");
    var arguments = new ProcessArgumentBuilder()
        .Append("cake").Append("build/dev.cake")
        .Append($"--target={target}")
        .Append($"--verbosity={Context.Log.Verbosity.ToString().ToLowerInvariant()}");
    foreach (var (name, values) in Context.Arguments.GetArguments())
    {
        if (name is "target" or "verbosity")
        {
            continue;
        }

        foreach (var value in values)
        {
            arguments.AppendQuoted(value.Length == 0 ? $"--{name}" : $"--{name}={value}");
        }
    }

    Run(root, arguments.Render());
}

void Run(DirectoryPath workingDirectory, string dotnetArguments)
{
    var exitCode = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = dotnetArguments,
        WorkingDirectory = workingDirectory,
        // The compiled-script cache is for the main targets: this script's assembly changes with the tests.
        EnvironmentVariables = new Dictionary<string, string> { ["CAKE_SETTINGS_ENABLESCRIPTCACHE"] = "false" },
    });
    if (exitCode != 0)
    {
        throw new Exception($"dotnet {dotnetArguments.Split(' ')[0]} failed (exit code {exitCode}).");
    }
}

Task("Test")
    .Description("Builds and runs every test; prints 'N passed, N failed, N skipped'.")
    .Does(() => RunDevTarget("Test"));

Task("Fixtures")
    .Description("Builds the fixture boot2docker ISOs (both layouts) from Debian packages into artifacts/fixtures/.")
    .Does(() => RunDevTarget("Fixtures"));
