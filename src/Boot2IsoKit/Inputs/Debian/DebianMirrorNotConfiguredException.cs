using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// A Debian package has to come from a mirror and none is configured: not in the recipe, not in
/// <see cref="DebianMirror.EnvironmentVariable"/>, not in apt's configuration (hosts that are not
/// Debian or Ubuntu have none). The message says exactly what to set, and how to use local .deb files instead.
/// </summary>
internal sealed class DebianMirrorNotConfiguredException(string where, string package)
    : Boot2IsoKitException(MessageFor(where, package))
{
    public string Package { get; } = package;

    private static string MessageFor(string where, string package) =>
        $"{where}: package '{package}' needs a Debian mirror, and none is configured (no debian.mirror in the recipe, "
        + $"no {DebianMirror.EnvironmentVariable}, no Debian archive in apt's configuration under /etc/apt). Either set one:\n"
        + "  in the recipe:       debian:\n"
        + "                         mirror: http://<debian mirror>/debian\n"
        + $"  in the environment:  {DebianMirror.EnvironmentVariable}=http://<debian mirror>/debian\n"
        + "or take the package from local .deb files (download them on a connected machine, e.g. apt-get download), in the recipe:\n"
        + $"  packages:\n  - deb: {package}\n    from: path/to/{package}.deb      # or a directory holding it and the .debs it depends on";
}
