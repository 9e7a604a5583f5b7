using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.EntryPoints;

/// <summary>build.sh and build.ps1 are the same entry point: both run the Cake script and list the same targets.</summary>
[Collection(Collection)]
public sealed partial class EntryPointTests
{
    /// <summary>The tests that run the entry points: one at a time, since each may rebuild artifacts/cake.</summary>
    public const string Collection = "entry points";

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

    /// <summary>
    /// --target=Verify on a machine without QEMU stops before booting anything, saying how to install it on each
    /// system. Run as its own process: the QEMU setting is read from the environment, which tests in this process
    /// share with the boot tests running beside them.
    /// </summary>
    [Fact]
    public async Task Verify_without_QEMU_fails_saying_how_to_install_it()
    {
        Requires.Tools("bash", "dotnet");
        var ct = TestContext.Current.CancellationToken;
        var scratch = Directory.CreateTempSubdirectory("b2ik-noqemu-").FullName;
        try
        {
            var iso = Path.Combine(scratch, "b2d.iso");
            await File.WriteAllTextAsync(iso, "not booted", ct);
            var missing = Path.Combine(scratch, "no-such-qemu");

            var result = await ExternalTool.RunAsync(
                "bash", ["build.sh", "--target=Verify", "--iso=" + iso], RepositoryRoot.Find(), Limit,
                environment: new Dictionary<string, string> { [Boot2IsoKit.Stages.Verification.QemuLauncher.EnvironmentVariable] = missing },
                cancellationToken: ct);

            var output = AnsiEscape().Replace(result.StandardOutput + result.StandardError, string.Empty);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains(missing, output, StringComparison.Ordinal);
            Assert.Contains("apt-get install qemu-system-x86", output, StringComparison.Ordinal);
            Assert.Contains("brew install qemu", output, StringComparison.Ordinal);
            Assert.Contains("Windows", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>
    /// ExperimentalIso always builds recipes/experimental.yml: a --recipe naming another file is refused before
    /// any work, pointing at --target=Iso, instead of being ignored (the user would get an ISO of the wrong recipe).
    /// </summary>
    [Fact]
    public async Task ExperimentalIso_refuses_a_recipe_argument_naming_another_recipe()
    {
        Requires.Tools("bash", "dotnet");
        var root = RepositoryRoot.Find();
        var ct = TestContext.Current.CancellationToken;
        var other = Path.Combine(Path.GetTempPath(), "b2ik-other-" + Guid.NewGuid().ToString("N") + ".yml");
        await File.WriteAllTextAsync(other, "name: other\n", ct);
        try
        {
            var refused = await ExternalTool.RunAsync("bash", ["build.sh", "--target=ExperimentalIso", "--offline", "--recipe=" + other], root, Limit, cancellationToken: ct);

            var output = AnsiEscape().Replace(refused.StandardOutput + refused.StandardError, string.Empty);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("--recipe", output, StringComparison.Ordinal);
            Assert.Contains($"--target=Iso --recipe={other}", output, StringComparison.Ordinal);
            // Refused before the recipe was even read: the other recipe's missing keys are never reported.
            Assert.DoesNotContain("other.yml:", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(other);
        }
    }

    /// <summary>
    /// Both entry points build the library only when one of its inputs is newer than the last build: a
    /// second call builds nothing, and a touched embedded script (as an edit would leave it) rebuilds.
    /// </summary>
    [Theory]
    [InlineData("bash")]
    [InlineData("pwsh")]
    public async Task The_library_is_rebuilt_only_when_a_source_changed(string shell)
    {
        Requires.Tools("bash", "dotnet");
        var root = RepositoryRoot.Find();

        await RunEntryPointAsync(shell, root, []);
        var unchanged = await RunEntryPointAsync(shell, root, []);
        var script = Directory.EnumerateFiles(Path.Combine(root, "src", "Boot2IsoKit", "Stages", "Bundle", "Scripts")).First();
        File.SetLastWriteTimeUtc(script, DateTime.UtcNow);
        var changed = await RunEntryPointAsync(shell, root, []);

        Assert.DoesNotContain(BuildingLine, unchanged.StandardError, StringComparison.Ordinal);
        Assert.Contains(BuildingLine, changed.StandardError, StringComparison.Ordinal);
        Assert.Contains("ExperimentalIso", changed.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>
    /// The main targets' path loads no test infrastructure: the entry points do not build the test-support
    /// project, and build.cake and the scripts it loads neither reference it nor use its types (Test and
    /// Fixtures build it and run build/dev.cake in a process of their own).
    /// </summary>
    [Fact]
    public void The_main_script_and_what_it_loads_reference_only_the_library()
    {
        var root = RepositoryRoot.Find();
        var main = Path.Combine(root, "build", "build.cake");
        var loaded = LoadLine().Matches(File.ReadAllText(main)).Select(m => Path.Combine(root, "build", m.Groups[1].Value)).ToList();

        Assert.Contains(loaded, f => f.EndsWith("pipeline.cake", StringComparison.Ordinal));
        foreach (var file in loaded.Append(main))
        {
            Assert.DoesNotMatch(TestingUse(), File.ReadAllText(file));
        }

        foreach (var entryPoint in new[] { "build.sh", "build.ps1" })
        {
            Assert.DoesNotContain("Boot2IsoKit.Testing", File.ReadAllText(Path.Combine(root, entryPoint)), StringComparison.Ordinal);
        }
    }

    /// <summary>SeedCache and Bundle build the ISO first unless --iso names one; --dryrun shows it on both entry points.</summary>
    [Theory]
    [InlineData("bash")]
    [InlineData("pwsh")]
    public async Task SeedCache_and_Bundle_depend_on_the_build_unless_given_an_iso(string shell)
    {
        Requires.Tools("bash", "dotnet");
        var root = RepositoryRoot.Find();

        foreach (var target in new[] { "SeedCache", "Bundle" })
        {
            var built = await RunEntryPointAsync(shell, root, [$"--target={target}", "--dryrun"]);
            var given = await RunEntryPointAsync(shell, root, [$"--target={target}", "--dryrun", "--iso=/nonexistent/b2d.iso"]);

            Assert.Equal(["ExperimentalIso", target], DryRunTasks(built.StandardOutput));
            Assert.Equal([target], DryRunTasks(given.StandardOutput));
        }
    }

    private const string BuildingLine = "Building src/Boot2IsoKit";

    private static async Task<ToolResult> RunEntryPointAsync(string shell, string root, string[] arguments)
    {
        string[] command = shell == "bash" ? ["build.sh", .. arguments] : ["pwsh", "-NoProfile", "-File", "build.ps1", .. arguments];
        var result = await ExternalTool.RunAsync(shell == "bash" ? "bash" : "dotnet", command, root, Limit, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        return result;
    }

    /// <summary>The numbered task list of a --dryrun ("1. ExperimentalIso"), without Cake's colours.</summary>
    private static List<string> DryRunTasks(string output) =>
        [.. DryRunLine().Matches(AnsiEscape().Replace(output, string.Empty)).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("^#load \"([^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex LoadLine();

    [GeneratedRegex(@"^#r .*Testing|Boot2IsoKit\.Testing\.[A-Z]", RegexOptions.Multiline)]
    private static partial Regex TestingUse();

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"^\d+\. (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex DryRunLine();

    /// <summary>The target names the Default target prints, in order.</summary>
    private static List<string> Targets(string output) =>
        [.. TargetLine().Matches(output.Split("Arguments:")[0]).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^  ([A-Z][A-Za-z]+) +\S", RegexOptions.Multiline)]
    private static partial Regex TargetLine();
}
