namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// Reads the /etc/os-release that a booted ISO will have (for boot2docker: inside the initrd). docker-machine picks
/// its boot2docker provisioner only when that file says <c>ID=boot2docker</c>.
/// </summary>
internal interface IOsReleaseProbe
{
    /// <summary>The file's text, or null when the ISO has no /etc/os-release.</summary>
    string? ReadOsRelease(string isoPath);
}
