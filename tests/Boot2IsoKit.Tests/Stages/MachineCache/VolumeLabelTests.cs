using System.Text;
using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Tests.Stages.MachineCache;

public sealed class VolumeLabelTests
{
    [Theory]
    [InlineData(LabelStrategy.Truthful, "20.10.24", "b2d-v20.10.24")]
    [InlineData(LabelStrategy.Truthful, "v24.0.0-rc.1", "b2d-v24.0.0-rc.1")]
    [InlineData(LabelStrategy.UpstreamTag, "20.10.24", "b2d-v19.03.12")]
    public void The_label_follows_the_strategy(LabelStrategy strategy, string engine, string expected) =>
        Assert.Equal(expected, VolumeLabel.For(strategy, engine));

    [Fact]
    public void The_upstream_tag_label_parses_to_the_tag_docker_machine_compares_against() =>
        Assert.Equal(VolumeLabel.UpstreamLatestTag, VolumeLabel.ParseVersion(VolumeLabel.For(LabelStrategy.UpstreamTag, "27.3.1")));

    [Fact]
    public void A_label_longer_than_the_volume_identifier_is_refused_with_docker_machines_consequence()
    {
        var error = Assert.Throws<InvalidVolumeLabelException>(() => VolumeLabel.For(LabelStrategy.Truthful, "20.10.24-beta.1-experimental-x"));
        Assert.Contains("35 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("0x8028", error.Message, StringComparison.Ordinal);
        Assert.Contains("UpstreamTag", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("20.10 24")]
    public void An_engine_version_that_cannot_be_a_label_is_refused(string engine) =>
        Assert.Throws<InvalidVolumeLabelException>(() => VolumeLabel.For(LabelStrategy.Truthful, engine));

    [Theory]
    [InlineData("b2d-v19.03.12", "v19.03.12")]
    [InlineData("Boot2Docker-v1.9.0-rc2", "v1.9.0-rc2")]
    [InlineData("b2d-v1.12.0-rc4-experimental", "v1.12.0-rc4-experimental")]
    [InlineData("a-vb-v2", "vb-v2")] // the FIRST "-v"
    [InlineData("  b2d-v1.0   \t", "v1.0")] // Go's TrimSpace
    [InlineData("B2D-V1.0-v2.0", "v2.0")] // case-sensitive: "-V" is not the prefix
    public void The_version_is_what_docker_machine_reads(string label, string version) =>
        Assert.Equal(version, VolumeLabel.ParseVersion(label));

    [Theory]
    [InlineData("Boot2Docker")]
    [InlineData("B2D-V19.03.12")]
    [InlineData("b2d_v1")]
    public void A_label_without_the_prefix_gives_docker_machines_error(string label)
    {
        Assert.False(VolumeLabel.TryParseVersion(label, out var version, out var error));
        Assert.Null(version);
        Assert.Equal("Did not find prefix \"-v\" in version string", error);
        Assert.Throws<InvalidVolumeLabelException>(() => VolumeLabel.ParseVersion(label));
    }

    [Fact]
    public void NUL_padding_is_not_trimmed_so_the_version_keeps_it()
    {
        var field = new byte[32];
        Encoding.ASCII.GetBytes("b2d-v19.03.12").CopyTo(field, 0);

        Assert.True(VolumeLabel.TryParseVersion(field, out var version, out _));

        Assert.Equal("v19.03.12" + new string('\0', 19), version);
        Assert.NotEqual(VolumeLabel.UpstreamLatestTag, version);
    }
}
