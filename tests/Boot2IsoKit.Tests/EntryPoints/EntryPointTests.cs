using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.EntryPoints;

/// <summary>build.sh and build.ps1 are the same entry point: both run the Cake script and list the same targets.</summary>
public sealed partial class EntryPointTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Build_sh_and_build_ps1_list_the_same_targets()
    {
        Requires.Tools("bash", "dotnet");
        var root = RepositoryRoot.Find();
        var ct = TestContext.Current.CancellationToken;

        var bash = await ExternalTool.RunAsync("bash", ["build.sh"], root, Limit, cancellationToken: ct);
        var pwsh = await ExternalTool.RunAsync("dotnet", ["pwsh", "-NoProfile", "-File", "build.ps1"], root, Limit, cancellationToken: ct);

        Assert.True(bash.ExitCode == 0, bash.StandardError + bash.StandardOutput);
        Assert.True(pwsh.ExitCode == 0, pwsh.StandardError + pwsh.StandardOutput);
        var targets = Targets(bash.StandardOutput);
        Assert.Superset(new HashSet<string> { "ExperimentalIso", "Iso", "Fetch", "Inspect", "SeedCache", "Bundle", "Fixtures", "Test", "Bench" }, targets.ToHashSet());
        Assert.Equal(targets, Targets(pwsh.StandardOutput));
    }

    [Fact]
    public async Task An_unknown_argument_value_fails_with_a_non_zero_exit_code_naming_it()
    {
        Requires.Tools("bash", "dotnet");
        var result = await ExternalTool.RunAsync("bash", ["build.sh", "--target=Inspect", "--iso=/nonexistent/b2d.iso"], RepositoryRoot.Find(), Limit, cancellationToken: TestContext.Current.CancellationToken);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("/nonexistent/b2d.iso", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    /// <summary>The target names the Default target prints, in order.</summary>
    private static List<string> Targets(string output) =>
        [.. TargetLine().Matches(output.Split("Arguments:")[0]).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^  ([A-Z][A-Za-z]+) +\S", RegexOptions.Multiline)]
    private static partial Regex TargetLine();
}
