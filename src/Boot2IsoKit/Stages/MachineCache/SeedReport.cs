using System.Text;
using System.Text.RegularExpressions;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// Explains what docker-machine will do with a seeded ISO (docker-machine's libmachine/mcnutils/b2d.go, <c>UpdateISOCache</c> and <c>isLatest</c>) and
/// prints, per driver, the create command that uses the file directly.
/// Usage: <c>Console.WriteLine(SeedReport.Create(facts.ParsedVersion, store, store.CachedIsoPath, HostPlatforms.Current).ToText())</c>.
/// </summary>
internal sealed partial record SeedReport(
    CacheBehaviour Behaviour,
    string Explanation,
    string DefaultCreateCommand,
    string IsoLocation,
    IReadOnlyList<DriverCommand> Commands,
    IReadOnlyList<string> Notes)
{
    /// <param name="labelVersion">The version docker-machine parses from the label (null: unparsable).</param>
    /// <param name="store">The store the ISO was seeded into; a non-default one is passed with the global <c>-s</c> flag.</param>
    /// <param name="isoPath">The seeded file, as a path on <paramref name="platform"/> (e.g. C:\Users\me\...\boot2docker.iso).</param>
    /// <param name="machineName">The name used in the printed commands.</param>
    public static SeedReport Create(string? labelVersion, MachineStore store, string isoPath, HostPlatform platform, string machineName = "default")
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(isoPath);
        var notes = new List<string>();
        var (behaviour, explanation) = Explain(labelVersion);
        var docker = store.IsDefault ? "docker-machine" : $"docker-machine -s {Quote(store.Root, platform)}";
        if (!store.IsDefault)
        {
            notes.Add($"The store is not docker-machine's default: -s (--storage-path) is a global flag and goes before 'create'; setting {MachineStore.EnvironmentVariable} does the same.");
        }

        var location = LocationFor(isoPath, platform, notes);
        var commands = new List<DriverCommand>();
        foreach (var driver in DriversOn(platform))
        {
            var flag = $"--{driver.Name}-boot2docker-url";
            var command = $"{docker} create -d {driver.Name} {flag} {Quote(location, platform)} {machineName}";
            var viaEnvironment = platform == HostPlatform.Windows
                ? $"$env:{driver.Variable} = '{location.Replace("'", "''", StringComparison.Ordinal)}'; {docker} create -d {driver.Name} {machineName}"
                : $"{driver.Variable}={Quote(location, platform)} {docker} create -d {driver.Name} {machineName}";
            commands.Add(new DriverCommand(driver.Name, command, driver.Variable, viaEnvironment, driver.Note));
        }

        notes.Add("With a boot2docker URL docker-machine copies the file into machines/<name>/ and never asks GitHub; 'docker-machine upgrade' copies it again from the same path.");
        return new SeedReport(behaviour, explanation, $"{docker} create -d virtualbox {machineName}", location, commands, notes);
    }

    public static (CacheBehaviour, string) Explain(string? labelVersion)
    {
        if (labelVersion is null)
        {
            return (CacheBehaviour.Refused,
                "docker-machine cannot read a version from this ISO's label (no \"-v\"): a default create fails offline " +
                "and downloads upstream's ISO over the cache online. Only the boot2docker-URL commands below use it.");
        }

        if (labelVersion == VolumeLabel.UpstreamLatestTag)
        {
            return (CacheBehaviour.KeptOnlineAndOffline,
                $"The label's version {labelVersion} equals boot2docker's latest release tag, so a default 'docker-machine create' " +
                "keeps this cached ISO online and offline (the real engine version is in the ISO's /etc/os-release and manifest).");
        }

        return (CacheBehaviour.KeptOfflineReplacedOnline,
            $"The label's version '{VolumeLabel.Visible(labelVersion)}' differs from boot2docker's latest release tag {VolumeLabel.UpstreamLatestTag}: " +
            "a default 'docker-machine create' keeps this ISO while GitHub is unreachable, but REPLACES it with upstream's ISO " +
            "as soon as api.github.com answers. To keep it online, create with a boot2docker URL (below) or build with the UpstreamTag label strategy.");
    }

    /// <summary>
    /// The URL docker-machine v0.16.2 can open: it uses only <c>url.Parse(x).Path</c>. On Linux/macOS that is
    /// <c>file:///abs/path</c>. On Windows both <c>file:///C:/…</c> (opens "/C:/…") and <c>file://C:/…</c> ("C:" becomes the
    /// host) fail, so the only safe form is a drive-less path resolved on the working directory's drive.
    /// </summary>
    internal static string LocationFor(string isoPath, HostPlatform platform, List<string> notes)
    {
        if (platform != HostPlatform.Windows)
        {
            if (!isoPath.StartsWith('/'))
            {
                throw new ArgumentException($"'{isoPath}' is not an absolute path", nameof(isoPath));
            }

            return "file://" + EscapeForGoUrl(isoPath);
        }

        var drive = DrivePath().Match(isoPath);
        if (!drive.Success)
        {
            notes.Add($"'{isoPath}' is not on a drive letter: docker-machine cannot open it through a URL; use a default create (the cache) or copy the ISO to a local drive.");
            return EscapeForGoUrl(isoPath.Replace('\\', '/'));
        }

        var letter = char.ToUpperInvariant(drive.Groups[1].Value[0]);
        notes.Add($"Windows: docker-machine 0.16.2 mangles file:///{letter}:/... and file://{letter}:/..., so the path is written without its drive. " +
            $"Run docker-machine from a directory on drive {letter}: (e.g. 'cd {letter}:\\').");
        return "/" + EscapeForGoUrl(drive.Groups[2].Value.Replace('\\', '/'));
    }

    /// <summary>Characters Go's url.Parse would take as query, fragment or escape; it unescapes them back into Path.</summary>
    private static string EscapeForGoUrl(string path) =>
        path.Replace("%", "%25", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal)
            .Replace("?", "%3F", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal);

    private static string Quote(string text, HostPlatform platform)
    {
        if (SafeWord().IsMatch(text))
        {
            return text;
        }

        return platform == HostPlatform.Windows
            ? "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'"
            : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private sealed record Driver(string Name, string Variable, string? Note);

    private static IEnumerable<Driver> DriversOn(HostPlatform platform)
    {
        yield return new Driver("virtualbox", "VIRTUALBOX_BOOT2DOCKER_URL", null);
        if (platform == HostPlatform.Windows)
        {
            yield return new Driver("hyperv", "HYPERV_BOOT2DOCKER_URL", "Run from an elevated PowerShell; add --hyperv-virtual-switch NAME for an external switch.");
        }

        if (platform == HostPlatform.MacOS)
        {
            yield return new Driver("vmwarefusion", "FUSION_BOOT2DOCKER_URL", "Note the variable name: FUSION_, not VMWAREFUSION_.");
        }

        yield return new Driver("vmwarevsphere", "VSPHERE_BOOT2DOCKER_URL", "Also needs --vmwarevsphere-vcenter and credentials; the ISO is uploaded to the datastore.");
    }

    /// <summary>The explanation and commands as the SeedCache target prints them.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(Explanation);
        text.AppendLine();
        text.AppendLine("Default create (uses the cache, behaviour as above):");
        text.AppendLine("  " + DefaultCreateCommand);
        text.AppendLine();
        text.AppendLine("Create from the seeded file (never contacts GitHub):");
        foreach (var command in Commands)
        {
            text.AppendLine($"  {command.Driver}:");
            text.AppendLine("    " + command.Command);
            text.AppendLine($"    or: {command.EnvironmentCommand}");
            if (command.Note is not null)
            {
                text.AppendLine("    " + command.Note);
            }
        }

        foreach (var note in Notes)
        {
            text.AppendLine();
            text.Append("Note: ").AppendLine(note);
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^([A-Za-z]):[\\/](.*)$")]
    private static partial Regex DrivePath();

    [GeneratedRegex(@"^[A-Za-z0-9_./:%=+,@-]+$")]
    private static partial Regex SafeWord();
}
