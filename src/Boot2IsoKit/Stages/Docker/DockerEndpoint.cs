namespace Boot2IsoKit.Stages.Docker;

/// <summary>Where the Docker engine listens: an explicit value, else DOCKER_HOST, else the platform's default socket.</summary>
internal static class DockerEndpoint
{
    public const string UnixDefault = "unix:///var/run/docker.sock";
    public const string WindowsDefault = "npipe://./pipe/docker_engine";

    public static Uri Resolve(string? endpoint = null)
    {
        var value = endpoint;
        if (string.IsNullOrWhiteSpace(value))
        {
            value = Environment.GetEnvironmentVariable("DOCKER_HOST");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            value = OperatingSystem.IsWindows() ? WindowsDefault : UnixDefault;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "npipe" or "tcp" or "http" or "https"
            ? uri
            : throw new Boot2IsoKit.Plumbing.Errors.InvalidInputException("docker endpoint", value, "is not unix://PATH, npipe://./pipe/NAME or tcp://HOST:PORT");
    }

    /// <summary>How to get an engine running, for error messages.</summary>
    internal static string StartHint() => OperatingSystem.IsWindows()
        ? "Start Docker Desktop (or the docker service), or set DOCKER_HOST to a reachable engine."
        : "Start one (`sudo systemctl start docker`, Docker Desktop, or `sudo dockerd &`), or set DOCKER_HOST to a reachable engine.";
}
