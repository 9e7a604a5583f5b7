using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.Reproducibility;

namespace Boot2IsoKit.Tests.Plumbing.Reproducibility;

public sealed class SourceDateTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("0", 0L)]
    [InlineData("1000000000", 1_000_000_000L)]
    [InlineData("253402300799", 253402300799L)]
    public void SOURCE_DATE_EPOCH_sets_the_time(string? value, long? seconds) =>
        Assert.Equal(seconds is null ? null : DateTimeOffset.FromUnixTimeSeconds(seconds.Value), SourceDate.Read(_ => value));

    [Theory]
    [InlineData("-5")]
    [InlineData("yesterday")]
    [InlineData("1.5")]
    [InlineData(" 1")]
    [InlineData("253402300800")]
    public void A_malformed_SOURCE_DATE_EPOCH_is_refused_naming_the_variable(string value)
    {
        var error = Assert.Throws<InvalidInputException>(() => SourceDate.Read(_ => value));

        Assert.Equal("SOURCE_DATE_EPOCH", error.Input);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_SOURCE_DATE_EPOCH_is_looked_up()
    {
        var asked = new List<string>();

        _ = SourceDate.Read(name =>
        {
            asked.Add(name);
            return null;
        });

        Assert.Equal(["SOURCE_DATE_EPOCH"], asked);
    }
}
