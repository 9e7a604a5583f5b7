using System.Text.RegularExpressions;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// A docker-machine store directory (commands/mcndirs/utils.go): the ISO cache is <c>&lt;root&gt;/cache/boot2docker.iso</c>
/// and each machine keeps its own copy in <c>&lt;root&gt;/machines/&lt;name&gt;/boot2docker.iso</c>.
/// </summary>
internal sealed partial record MachineStore(string Root, StoreSource Source, bool IsDefault)
{
    public const string EnvironmentVariable = "MACHINE_STORAGE_PATH";

    public const string IsoFileName = "boot2docker.iso";

    public string CacheDirectory => Path.Combine(Root, "cache");

    public string CachedIsoPath => Path.Combine(CacheDirectory, IsoFileName);

    /// <summary>
    /// Resolves the store like docker-machine: <c>--storage-path</c>, then <c>MACHINE_STORAGE_PATH</c>, then
    /// <c>&lt;home&gt;/.docker/machine</c>. <paramref name="environment"/> reads a variable (null = unset);
    /// <paramref name="home"/> is the user's home (<c>$HOME</c>, or <c>%USERPROFILE%</c> on Windows).
    /// Usage: <c>MachineStore.Resolve(args.StoragePath, Environment.GetEnvironmentVariable, MachineStore.CurrentHome())</c>.
    /// </summary>
    public static MachineStore Resolve(string? storagePathArgument, Func<string, string?> environment, string home)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(home);
        var defaultRoot = Path.GetFullPath(Path.Combine(home, ".docker", "machine"));
        var (path, source) = !string.IsNullOrEmpty(storagePathArgument) ? (storagePathArgument, StoreSource.Argument)
            : environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? (fromEnvironment, StoreSource.Environment)
            : (defaultRoot, StoreSource.Home);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        return new MachineStore(root, source, string.Equals(root, Path.TrimEndingDirectorySeparator(defaultRoot), StringComparison.Ordinal));
    }

    /// <summary>Resolves the store for this process (its environment and home).</summary>
    public static MachineStore ResolveForCurrentUser(string? storagePathArgument) =>
        Resolve(storagePathArgument, System.Environment.GetEnvironmentVariable, CurrentHome());

    /// <summary>docker-machine's GetHomeDir: <c>%USERPROFILE%</c> on Windows, <c>$HOME</c> elsewhere.</summary>
    public static string CurrentHome()
    {
        var variable = OperatingSystem.IsWindows() ? "USERPROFILE" : "HOME";
        return System.Environment.GetEnvironmentVariable(variable) is { Length: > 0 } home
            ? home
            : throw new Boot2IsoKitException($"{variable} is not set: cannot find docker-machine's default store; pass --storage-path.");
    }

    /// <summary>The directory of an existing machine; refuses names docker-machine would refuse (and so any path tricks).</summary>
    public string MachineDirectory(string machineName)
    {
        ArgumentNullException.ThrowIfNull(machineName);
        if (!MachineNamePattern().IsMatch(machineName))
        {
            throw new InvalidInputException("machine name", $"'{machineName}'", "docker-machine names match [a-zA-Z0-9][a-zA-Z0-9.-]*");
        }

        return Path.Combine(Root, "machines", machineName);
    }

    // libmachine/host/host.go validHostNamePattern.
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9\\-\\.]*$")]
    private static partial Regex MachineNamePattern();
}
