using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Tests.Inputs.Engines;

public sealed class EngineVersionTests
{
    [Theory]
    [InlineData("1.9.1", 1, 9, 1, null, null, 0)]
    [InlineData("1.12.0-rc4", 1, 12, 0, null, EnginePrereleaseKind.ReleaseCandidate, 4)]
    [InlineData("17.06.0-ce", 17, 6, 0, "ce", null, 0)]
    [InlineData("17.04.0-ce-rc2", 17, 4, 0, "ce", EnginePrereleaseKind.ReleaseCandidate, 2)]
    [InlineData("18.09.0-ce-beta1", 18, 9, 0, "ce", EnginePrereleaseKind.Beta, 1)]
    [InlineData("18.09.0-beta3", 18, 9, 0, null, EnginePrereleaseKind.Beta, 3)]
    [InlineData("19.03.0-tp1", 19, 3, 0, null, EnginePrereleaseKind.TechPreview, 1)]
    [InlineData("19.03.12", 19, 3, 12, null, null, 0)]
    [InlineData("23.0.0-rc.1", 23, 0, 0, null, EnginePrereleaseKind.ReleaseCandidate, 1)]
    [InlineData("27.3.1", 27, 3, 1, null, null, 0)]
    public void Parses_the_numbering_of_every_era(string text, int major, int minor, int patch, string? edition, EnginePrereleaseKind? kind, int number)
    {
        var version = EngineVersion.Parse(text);

        Assert.Equal((major, minor, patch), (version.Major, version.Minor, version.Patch));
        Assert.Equal(edition, version.Edition);
        Assert.Equal(kind, version.Prerelease?.Kind);
        Assert.Equal(number, version.Prerelease?.Number ?? 0);
        Assert.Equal(text, version.ToString());
        Assert.Equal(kind is null, version.IsFinal);
    }

    [Fact]
    public void Recognises_experimental_dev_and_nightly_builds_and_drops_a_leading_v()
    {
        var experimental = EngineVersion.Parse("1.12.2-experimental");
        var dev = EngineVersion.Parse("17.06.0-dev");
        var nightly = EngineVersion.Parse("0.0.0-20190625103807-bc76fbb");
        var tag = EngineVersion.Parse("v19.03.12");

        Assert.True(experimental.IsExperimental);
        Assert.False(experimental.IsFinal);
        Assert.True(dev.IsDev);
        Assert.Equal("20190625103807-bc76fbb", nightly.NightlyStamp);
        Assert.Equal("19.03.12", tag.ToString());
    }

    [Fact]
    public void Orders_pre_releases_before_the_release_and_across_eras()
    {
        string[] shuffled = ["19.03.12", "1.12.0-rc4", "17.06.0-dev", "27.3.1", "17.06.0-ce-rc1", "1.12.0", "18.09.0-beta3", "17.06.0-ce", "1.9.1", "18.09.0-rc1", "19.03.0-tp1", "18.09.0", "1.12.0-rc10"];

        var sorted = shuffled.Select(EngineVersion.Parse).Order().Select(v => v.ToString()).ToArray();

        Assert.Equal(["1.9.1", "1.12.0-rc4", "1.12.0-rc10", "1.12.0", "17.06.0-dev", "17.06.0-ce-rc1", "17.06.0-ce", "18.09.0-beta3", "18.09.0-rc1", "18.09.0", "19.03.0-tp1", "19.03.12", "27.3.1"], sorted);
        Assert.True(EngineVersion.Parse("18.06.1-ce") < EngineVersion.Parse("18.09.0"));
        Assert.True(EngineVersion.Parse("0.0.0-20190625103807-bc76fbb") > EngineVersion.Parse("0.0.0-20190101000000-0123abc"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("19.03")]
    [InlineData("19.03.12-foo")]
    [InlineData("19.03.12 ; rm -rf /")]
    [InlineData("99999999999.0.0")]
    public void Rejects_what_is_not_an_engine_version(string text)
    {
        var error = Assert.Throws<InvalidInputException>(() => EngineVersion.Parse(text));

        Assert.Equal("engine version", error.Input);
        Assert.False(EngineVersion.TryParse(text, out _));
    }

    [Theory]
    [InlineData("0.11.1", true)]
    [InlineData("1.10.3", true)]
    [InlineData("1.11.0", false)]
    [InlineData("1.12.0-rc4", false)]
    [InlineData("18.06.1-ce", false)]
    [InlineData("28.2.2", false)]
    [InlineData("0.0.0-20190625103807-bc76fbb", false)]
    public void Knows_the_single_binary_era(string text, bool oneBinary) =>
        Assert.Equal(oneBinary, EngineVersion.Parse(text).ShipsAsSingleBinary);

    [Theory]
    [InlineData(" v19.03.12 ", "19.03.12")]
    [InlineData("V1.0", "1.0")]
    [InlineData("20.10.24-beta.1-x", "20.10.24-beta.1-x")]
    [InlineData(null, "")]
    public void Drops_one_leading_v_from_text_it_does_not_parse(string? text, string expected) =>
        Assert.Equal(expected, EngineVersion.WithoutPrefix(text));
}
