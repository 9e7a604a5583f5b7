using Boot2IsoKit.Initramfs;
using Boot2IsoKit.Iso9660;
using Boot2IsoKit.Testing.Docker;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Docker;

/// <summary>
/// The two builders are interchangeable: the same recipe and inputs through the pipeline's native and
/// docker builders give the same bytes at every rootfs path the recipe touches.
/// </summary>
[Collection(DockerEngineTests.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BuilderParityTests : IDisposable
{
    private static readonly string[] TouchedPaths = ["etc/os-release", "etc/motd", "usr/local/bin/docker", "etc/b2ik-parity", "etc/b2ik/test.d/70-parity"];
    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Native_and_docker_builders_write_the_same_rootfs_changes()
    {
        Requires.Tools("dockerd", "debootstrap", "xorriso", "cpio", "xz");
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var baseImage = await StandInImages.EnsureAsync(connection, fixture, ct: ct);
        var engine = await TestEngine.CreateAsync(_harness.Path("engine"), ct);
        var recipe = _harness.WriteRecipe($$"""
            name: parity
            base:
              release: v19.03.12
            engine:
              version: {{engine.Version}}
              tgz: {{engine.TgzPath}}
            motd: |
              WARNING: parity test.
            overlays:
              - {overlay}
            """, new Dictionary<string, (string, int)>
        {
            ["etc/b2ik-parity"] = ("same in both\n", 0x1A4),
            ["etc/b2ik/test.d/70-parity"] = ("#!/bin/sh\ncat /etc/b2ik-parity\n", 0x1ED),
        });

        var native = await _harness.BuildAsync(recipe, ("base-iso", fixture.IsoPath), ("output", _harness.Path("native.iso")));
        var docker = await _harness.BuildAsync(recipe, ("base-iso", fixture.IsoPath), ("builder", "docker"), ("base-image", baseImage), ("output", _harness.Path("docker.iso")));

        var fromNative = Touched(native.Iso);
        var fromDocker = Touched(docker.Iso);
        foreach (var path in TouchedPaths)
        {
            Assert.True(fromNative.ContainsKey(path), $"native ISO lacks /{path}");
            Assert.True(fromDocker.ContainsKey(path), $"docker ISO lacks /{path}");
            Assert.True(fromNative[path].AsSpan().SequenceEqual(fromDocker[path]), $"/{path} differs between the builders");
        }

        Assert.Equal(native.Label, docker.Label);
    }

    /// <summary>The final bytes (last member wins, as the kernel applies them) of the paths the recipe touches.</summary>
    private static Dictionary<string, byte[]> Touched(string isoPath)
    {
        using var image = IsoImage.Open(isoPath);
        using var initrd = image.OpenFile(image.Find("boot/initrd.img")!);
        var contents = new InitrdReader(initrd, isoPath).ReadContents(header => TouchedPaths.Contains(header.Name));
        return TouchedPaths.Where(contents.Exists).ToDictionary(p => p, p => contents.ReadAllBytes(p)!);
    }
}
