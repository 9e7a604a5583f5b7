using System.Security.Cryptography;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Stages.Planning;
using Boot2IsoKit.Testing.Docker;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Stages.Planning;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Docker;

/// <summary>
/// The docker builder is reproducible too: one plan built twice through the Engine API without the
/// layer cache (every step runs again, at another second of the clock, from another context
/// directory) gives the same ISO, byte for byte, on both layouts' ISO scripts.
/// </summary>
[Collection(DockerEngineTests.Name)]
public sealed class DockerReproducibleBuildTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "b2ik-docker-repro-" + Guid.NewGuid().ToString("N")[..8]);

    public DockerReproducibleBuildTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData(FixtureLayout.New, "b2ik-v{0}-repro")]
    [InlineData(FixtureLayout.Old, "b2d-v{0}")]
    public async Task Two_uncached_builds_of_one_plan_are_bit_identical(FixtureLayout layout, string labelPattern)
    {
        Requires.Tools("dockerd", "debootstrap", "xorriso", "cpio", "xz");
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(layout, ct: ct);
        var baseImage = await StandInImages.EnsureAsync(connection, fixture, ct: ct);
        var engine = await TestEngine.CreateAsync(Path.Combine(_work, "engine"), ct);
        var overlay = TestPlanner.Overlay(_work, ("etc/b2ik-repro", "same bytes\n", 0x1A4));
        Task<BuildPlan> Plan(string run) => new TestPlanner(Path.Combine(_work, run), connection).PlanAsync(
            TestPlanner.Recipe(
                "docker-repro",
                fixture.EngineVersion,
                baseImage: baseImage,
                engineVersion: engine.Version,
                engineTgz: engine.TgzPath,
                motd: "\n  reproducible\n",
                volumeId: string.Format(System.Globalization.CultureInfo.InvariantCulture, labelPattern, engine.Version),
                overlay: overlay,
                output: Path.Combine(_work, run, "boot2docker.iso")),
            Boot2IsoKit.Stages.Planning.BuilderKind.Docker);
        var builder = new DockerIsoBuilder(connection) { UseBuildCache = false };

        using var firstPlan = await Plan("first");
        var first = await builder.BuildAsync(firstPlan, Path.Combine(_work, "first", "context"), cancellationToken: ct);
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct); // another clock second for anything that would read it
        using var secondPlan = await Plan("second");
        var second = await builder.BuildAsync(secondPlan, Path.Combine(_work, "second", "context"), cancellationToken: ct);

        Assert.NotEqual(first.IsoPath, second.IsoPath);
        Assert.Equal(Sha256(first.IsoPath), Sha256(second.IsoPath));
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
