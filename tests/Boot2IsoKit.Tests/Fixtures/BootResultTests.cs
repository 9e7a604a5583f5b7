using Boot2IsoKit.Testing.Qemu;

namespace Boot2IsoKit.Tests.Fixtures;

/// <summary>The marker parser the boot tests rely on.</summary>
public class BootResultTests
{
    private const string Console = """
        ISOLINUX 6.04 junk
        B2IK-BOOTED
        B2IK-BEGIN motd
        hello
          world
        B2IK-END motd rc=0
        B2IK-BEGIN 10-fails
        B2IK-END 10-fails rc=3
        B2IK-BEGIN half
        cut off
        """;

    private static readonly BootResult Result = new(Console, ReachedDone: false, TimedOut: true);

    [Fact]
    public void A_section_is_the_lines_between_its_markers()
    {
        Assert.Equal("hello\n  world", Result.Section("motd"));
        Assert.Equal(0, Result.SectionExitCode("motd"));
        Assert.Equal("", Result.Section("10-fails"));
        Assert.Equal(3, Result.SectionExitCode("10-fails"));
    }

    [Theory]
    [InlineData("absent")]
    [InlineData("half")]
    [InlineData("mot")]
    public void A_missing_or_unfinished_section_throws_with_the_console_tail(string name)
    {
        var error = Assert.Throws<BootAssertionException>(() => Result.Section(name));
        Assert.Contains("cut off", error.Message, StringComparison.Ordinal);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_excerpt_is_the_tail_of_the_console()
    {
        var excerpt = Result.Excerpt(2);
        Assert.Contains("B2IK-BEGIN half\ncut off", excerpt, StringComparison.Ordinal);
        Assert.DoesNotContain("world", excerpt, StringComparison.Ordinal);
    }
}
