using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Stages.Planning;
using Boot2IsoKit.Testing.Docker;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Docker;

/// <summary>The docker builder's failures say what went wrong and what to do.</summary>
[Collection(DockerEngineTests.Name)]
public sealed class DockerIsoBuilderErrorTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "b2ik-docker-errors-" + Guid.NewGuid().ToString("N")[..8]);

    public DockerIsoBuilderErrorTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task An_endpoint_where_no_engine_listens_says_how_to_start_one()
    {
        var socket = "unix://" + Path.Combine(_work, "no-engine.sock");
        var error = await Assert.ThrowsAsync<DockerEngineUnavailableException>(
            () => DockerConnection.ConnectAsync(socket, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.Contains(socket, error.Message, StringComparison.Ordinal);
        Assert.Contains("DOCKER_HOST", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_DOCKER_HOST_value_is_a_bad_input() =>
        Assert.Throws<Boot2IsoKit.Plumbing.Errors.InvalidInputException>(() => DockerEndpoint.Resolve("ftp://example.invalid/docker"));

    [Fact]
    public async Task The_engine_API_version_is_negotiated_down_to_what_the_engine_speaks()
    {
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        var version = await connection.Client.System.GetVersionAsync(TestContext.Current.CancellationToken);
        var engine = Version.Parse(version.APIVersion);
        Assert.Equal(engine < DockerConnection.MaximumApiVersion ? engine : DockerConnection.MaximumApiVersion, connection.ApiVersion);
    }

    [Fact]
    public async Task A_missing_base_image_names_the_base_image_option()
    {
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        var plan = Plan("b2ik-test/no-such-image:" + Guid.NewGuid().ToString("N")[..8], IsoLayout.New, "19.03.12");
        var error = await Assert.ThrowsAsync<BaseImageMissingException>(
            () => new DockerIsoBuilder(connection).BuildAsync(plan, Path.Combine(_work, "ctx"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(((BuildBase.Image)plan.Base).Reference, error.Message, StringComparison.Ordinal);
        Assert.Contains("--base-image", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(plan.OutputPath));
    }

    /// <summary>A plain Debian image is no boot2docker image: the build fails, and the error carries the build log's end.</summary>
    [Fact]
    public async Task A_failing_build_shows_the_end_of_the_build_log_and_leaves_no_output()
    {
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        Boot2IsoKit.Tests.Support.Requires.Tools("debootstrap");
        var debian = await DebianToolsImage.EnsureAsync(connection, ct: TestContext.Current.CancellationToken);
        var plan = Plan(debian, IsoLayout.Old, "18.06.1-ce");
        var before = await ImageCountAsync(connection);

        var error = await Assert.ThrowsAsync<DockerEngineException>(
            () => new DockerIsoBuilder(connection).BuildAsync(plan, Path.Combine(_work, "ctx"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.NotNull(error.LogTail);
        // A plain Debian image has no make_iso.sh: the ISO script step fails, and the tail says which.
        Assert.Contains("make_iso.sh", error.LogTail, StringComparison.Ordinal);
        Assert.Equal(DockerFailure.IsoScript, error.Failure);
        Assert.Contains("--- last lines of the log ---", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(plan.OutputPath));
        Assert.Equal(before, await ImageCountAsync(connection));
    }

    private static async Task<int> ImageCountAsync(DockerConnection connection) =>
        (await connection.Client.Images.ListImagesAsync(new() { All = true }, TestContext.Current.CancellationToken)).Count;

    private BuildPlan Plan(string baseImage, IsoLayout layout, string release) =>
        TestPlans.ForImage("errors", release, baseImage, new RootfsOverlay(), "b2d-v" + release, release, Path.Combine(_work, "out", "boot2docker.iso"), 1593388800);
}
