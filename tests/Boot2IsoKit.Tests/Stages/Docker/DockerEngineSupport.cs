using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Docker;

/// <summary>The engine the docker-builder tests use: started by .ci/run in CI, skipped (laptop) or failed (CI) when absent.</summary>
internal static class DockerEngineSupport
{
    public static async Task<DockerConnection> ConnectOrSkipAsync()
    {
        Requires.Tools("dockerd");
        try
        {
            return await DockerConnection.ConnectAsync(timeout: TimeSpan.FromSeconds(10), cancellationToken: TestContext.Current.CancellationToken);
        }
        catch (DockerEngineUnavailableException e)
        {
            Requires.Missing("a running Docker engine: " + e.Message);
            throw;
        }
    }
}

/// <summary>
/// The tests that build images in the shared engine run one at a time: some check that a build leaves no
/// image behind by counting the engine's images, which another test's build in flight would change.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DockerEngineTests
{
    public const string Name = "Docker engine";
}
