namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>How the build chooses the ISO volume label, which docker-machine reads as the ISO's version.</summary>
public enum LabelStrategy
{
    /// <summary><c>b2d-v&lt;engine version&gt;</c>: honest, but docker-machine replaces the cached ISO whenever GitHub is reachable.</summary>
    Truthful,

    /// <summary>
    /// <c>b2d-v19.03.12</c>, boot2docker's last release: docker-machine considers the cached ISO up to date and keeps it
    /// even online. The real engine version is then only in /etc/os-release, the application id and the manifest.
    /// </summary>
    UpstreamTag,
}
