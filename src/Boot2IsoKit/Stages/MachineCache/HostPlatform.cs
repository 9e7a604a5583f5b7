namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>The operating system docker-machine runs on; it decides how a local ISO path must be written.</summary>
internal enum HostPlatform
{
    Linux,
    MacOS,
    Windows,
}

internal static class HostPlatforms
{
    public static HostPlatform Current =>
        OperatingSystem.IsWindows() ? HostPlatform.Windows : OperatingSystem.IsMacOS() ? HostPlatform.MacOS : HostPlatform.Linux;
}
