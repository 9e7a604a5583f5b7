using Boot2IsoKit.Stages.Verification;
using Boot2IsoKit.Testing.Docker;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Stages.Docker;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Verification;

/// <summary>The docker builder's output of the same recipe passes Verify too (once: the CD boot with the data disk).</summary>
[Collection(DockerEngineTests.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VerifyDockerBuilderTests : IDisposable
{
    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task The_docker_builders_ISO_serves_the_pinned_daemon_with_ipvsadm()
    {
        Requires.Tools("dockerd", "qemu-system-x86_64", "debootstrap", "xorriso", "cpio", "xz", "depmod");
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var baseImage = await StandInImages.EnsureAsync(connection, fixture, ct: ct);
        var engine = await DebianTestEngine.GetAsync(ct);
        var recipe = _harness.WriteRecipe($"""
            name: verify-docker
            base:
              iso: {fixture.IsoPath}
            {engine.RecipeBlock()}
            packages:
              - deb: ipvsadm
                suite: bookworm
                binaries: [/sbin/ipvsadm]
            verify:
              - sudo ipvsadm -A -t 10.1.2.3:80 -s rr && sudo ipvsadm -Ln

            """);

        // --base-iso: the injected binaries and the engine's libraries are checked against the fixture's rootfs.
        var record = await _harness.BuildAsync(recipe, ("builder", "docker"), ("base-image", baseImage), ("base-iso", fixture.IsoPath));
        var report = await new IsoVerifier(new VerifyOptions { Boots = [VmBootMedium.CdRomWithDataDisk] }, m => TestContext.Current.SendDiagnosticMessage(m))
            .VerifyAsync(record.Iso, record.Verify!, ct);

        Assert.Equal("docker", record.Builder);
        Assert.True(report.Passed, report.ToText());
        Assert.Contains(report.Rows, r => r.Check == "docker daemon (server version)" && r.Detail.StartsWith("server 20.10.24+dfsg1 = pinned 20.10.24", StringComparison.Ordinal));
    }
}
