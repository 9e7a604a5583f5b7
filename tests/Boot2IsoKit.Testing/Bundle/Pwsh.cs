using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Bundle;

/// <summary>
/// Runs PowerShell scripts with the PowerShell .NET tool pinned in the repository's .config/dotnet-tools.json
/// (<c>dotnet pwsh</c>), so Windows entry points are executed for real on Linux.
/// </summary>
internal static class Pwsh
{
    private static readonly Lazy<Task<bool>> Restored = new(RestoreAsync);

    /// <summary>The repository root: the first parent of the test binaries that has .config/dotnet-tools.json.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, ".config", "dotnet-tools.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no .config/dotnet-tools.json above {AppContext.BaseDirectory}");
    }

    /// <summary>True when <c>dotnet tool restore</c> made <c>dotnet pwsh</c> available.</summary>
    public static Task<bool> IsAvailableAsync() => Restored.Value;

    /// <summary>
    /// Runs <paramref name="script"/> with <c>-NoProfile -NonInteractive -File</c>. <paramref name="environment"/> may
    /// change HOME: the tool itself is still found in the real NuGet package folder.
    /// </summary>
    public static Task<ToolResult> RunScriptAsync(string script, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var realHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages ? packages : Path.Combine(realHome, ".nuget", "packages"),
            ["DOTNET_CLI_HOME"] = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") is { Length: > 0 } cliHome ? cliHome : realHome,
            ["DOTNET_NOLOGO"] = "1",
            ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
            ["POWERSHELL_UPDATECHECK"] = "Off",
        };

        // dotnet finds the local tool manifest from its working directory; the script's own cwd is set by the caller's
        // relative paths only, which the scripts here do not depend on.
        return ExternalTool.RunAsync(
            "dotnet",
            ["pwsh", "-NoProfile", "-NonInteractive", "-File", script, .. arguments],
            workingDirectory ?? RepositoryRoot(),
            TimeSpan.FromMinutes(3),
            environment: variables,
            cancellationToken: cancellationToken);
    }

    private static async Task<bool> RestoreAsync()
    {
        var result = await ExternalTool.RunAsync("dotnet", ["tool", "restore"], RepositoryRoot(), TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        return result.ExitCode == 0;
    }
}
