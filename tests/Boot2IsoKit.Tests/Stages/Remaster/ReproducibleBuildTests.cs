using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Remaster;

/// <summary>
/// Same recipe and inputs, built twice in different directories at different times: the same ISO, byte
/// for byte, and the build record carries its sha256. (No SOURCE_DATE_EPOCH: the dates come from the inputs.)
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReproducibleBuildTests
{
    [Theory]
    [InlineData("append")]
    [InlineData("merge")]
    public async Task Two_builds_of_the_same_inputs_are_bit_identical(string initrdMode)
    {
        Requires.Tools("xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.Old, ct: ct);
        using var first = new RemasterHarness();
        using var second = new RemasterHarness();
        var engine = await TestEngine.CreateAsync(first.Path("engine"), ct);
        string Recipe(RemasterHarness harness) => harness.WriteRecipe($$"""
            name: repro
            base:
              iso: {{fixture.IsoPath}}
            engine:
              version: {{engine.Version}}
              tgz: {{engine.TgzPath}}
            motd: "reproducible\n"
            overlays:
              - {overlay}
            initrd: {{initrdMode}}
            """, new Dictionary<string, (string, int)> { ["etc/b2ik-repro"] = ("same bytes\n", 0x1A4) });

        var a = await first.BuildAsync(Recipe(first));
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct); // a different clock second for anything that would read it
        var b = await second.BuildAsync(Recipe(second));

        Assert.NotEqual(a.Iso, b.Iso);
        Assert.Equal(a.Sha256, b.Sha256);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(b.Iso))), b.Sha256);
    }
}
