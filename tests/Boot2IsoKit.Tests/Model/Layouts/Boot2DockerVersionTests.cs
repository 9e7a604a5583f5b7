using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Tests.Model.Layouts;

public sealed class Boot2DockerVersionTests
{
    [Theory]
    [InlineData("v19.03.12", 19, 3, 12, "", "19.03.12")]
    [InlineData("19.03.12", 19, 3, 12, "", "19.03.12")]
    [InlineData("v18.06.1-ce", 18, 6, 1, "-ce", "18.06.1-ce")]
    [InlineData("v1.12.0-rc4", 1, 12, 0, "-rc4", "1.12.0-rc4")]
    [InlineData(" v20.10.8-xfs ", 20, 10, 8, "-xfs", "20.10.8-xfs")]
    [InlineData("v18.06", 18, 6, 0, "", "18.06")]
    public void Reads_tags_bare_versions_and_fork_suffixes(string text, int major, int minor, int patch, string suffix, string bare)
    {
        var version = Boot2DockerVersion.Parse(text);

        Assert.Equal((major, minor, patch, suffix), (version.Major, version.Minor, version.Patch, version.Suffix));
        Assert.Equal(bare, version.ToString());
        Assert.Equal("v" + bare, version.Tag);
    }

    [Theory]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("v19")]
    [InlineData("v19.03.12 ; rm -rf /")]
    [InlineData("v99999999999.0.0")]
    public void Refuses_what_is_not_a_release_version(string text)
    {
        var error = Assert.Throws<InvalidInputException>(() => Boot2DockerVersion.Parse(text));

        Assert.Equal("boot2docker version", error.Input);
        Assert.False(Boot2DockerVersion.TryParse(text, out _));
    }

    [Theory]
    [InlineData("v1.12.2", "old")]
    [InlineData("v18.06.1-ce", "old")]
    [InlineData("v18.09.0", "new")]
    [InlineData("19.03.12", "new")]
    [InlineData("v20.10.8-xfs", "new")]
    public void The_layout_era_starts_at_18_09(string text, string layout) =>
        Assert.Equal(layout, Boot2DockerVersion.Parse(text).Layout.Name);

    [Fact]
    public void Orders_by_number_and_compares_the_tag_and_the_bare_version_as_one()
    {
        string[] shuffled = ["v19.03.12", "v1.12.0", "v18.09.0", "v18.06.1-ce", "v1.9.1", "v19.03.5"];

        var sorted = shuffled.Select(Boot2DockerVersion.Parse).Order().Select(v => v.Tag).ToArray();

        Assert.Equal(["v1.9.1", "v1.12.0", "v18.06.1-ce", "v18.09.0", "v19.03.5", "v19.03.12"], sorted);
        Assert.Equal(Boot2DockerVersion.Parse("v19.03.12"), Boot2DockerVersion.Parse("19.03.12"));
        Assert.True(Boot2DockerVersion.Parse("v18.09.1").IsAtLeast(18, 9, 1));
        Assert.False(Boot2DockerVersion.Parse("v18.09.0").IsAtLeast(18, 9, 1));
        Assert.Same(IsoLayout.New, IsoLayout.ForRelease("v19.03.12"));
    }

    [Theory]
    [InlineData("v19.03.12", true)]
    [InlineData("19.03.12", false)]
    [InlineData("vx", false)]
    public void A_tag_is_the_version_with_its_v(string text, bool isTag) =>
        Assert.Equal(isTag, Boot2DockerVersion.TryParseTag(text, out _));
}
