using System.Globalization;
using System.Net.Sockets;
using Docker.DotNet;
using VersionResponse = Docker.DotNet.Models.VersionResponse;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>
/// A client for one Docker engine, speaking the API version both sides know: the engine's own
/// (the Debian engine here speaks 1.41) capped at the newest this toolkit was written against.
/// </summary>
internal sealed class DockerConnection : IDisposable
{
    /// <summary>Oldest API with everything we use (build network mode and labels, attach, archive): Docker 1.13.</summary>
    public static readonly Version MinimumApiVersion = new(1, 25);

    /// <summary>Newest API the requests here were checked against; a newer engine still serves it.</summary>
    public static readonly Version MaximumApiVersion = new(1, 47);

    private DockerConnection(DockerClient client, Uri endpoint, Version apiVersion, string engineVersion)
    {
        Client = client;
        Endpoint = endpoint;
        ApiVersion = apiVersion;
        EngineVersion = engineVersion;
    }

    public DockerClient Client { get; }

    public Uri Endpoint { get; }

    public Version ApiVersion { get; }

    /// <summary>The engine's own version, e.g. "20.10.24+dfsg1".</summary>
    public string EngineVersion { get; }

    /// <summary>Connects to <paramref name="endpoint"/> (else DOCKER_HOST, else the platform default) and negotiates the API version.</summary>
    /// <exception cref="DockerEngineUnavailableException">Nothing answers there, with how to start an engine.</exception>
    public static async Task<DockerConnection> ConnectAsync(string? endpoint = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var uri = DockerEndpoint.Resolve(endpoint);
        VersionResponse version;
        using (var probe = new DockerClientBuilder().WithEndpoint(uri).WithTimeout(timeout ?? TimeSpan.FromSeconds(15)).Build())
        {
            try
            {
                // /version is served unversioned by every engine: it tells which API versions it speaks.
                version = await probe.System.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsUnreachable(e))
            {
                throw new DockerEngineUnavailableException(
                    $"No Docker engine answers at {uri} ({e.GetBaseException().Message}). {DockerEndpoint.StartHint()}", e);
            }
        }

        var engineApi = Version.TryParse(version.APIVersion, out var parsed) ? parsed : MinimumApiVersion;
        if (engineApi < MinimumApiVersion)
        {
            throw new DockerEngineException(
                $"The Docker engine at {uri} (version {version.Version}) speaks API {engineApi}; the docker builder needs {MinimumApiVersion} or later (Docker 1.13+).");
        }

        var negotiated = engineApi < MaximumApiVersion ? engineApi : MaximumApiVersion;
        var client = new DockerClientBuilder()
            .WithEndpoint(uri)
            .WithApiVersion(negotiated)
            // Builds and ISO scripts take minutes: calls end by cancellation, not by an HTTP timeout.
            .WithTimeout(Timeout.InfiniteTimeSpan)
            .Build();
        return new DockerConnection(client, uri, negotiated, version.Version ?? "unknown");
    }

    public void Dispose() => Client.Dispose();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Docker {EngineVersion} at {Endpoint} (API {ApiVersion})");

    private static bool IsUnreachable(Exception e) => e is HttpRequestException or SocketException or IOException or TimeoutException
        or OperationCanceledException or DockerApiException or UnauthorizedAccessException
        || e.InnerException is { } inner && IsUnreachable(inner);
}
