using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Tests.Model.Rootfs;

public class RootfsOverlayTests
{
    [Theory]
    [InlineData("/usr/local/bin/docker", "usr/local/bin/docker")]
    [InlineData("./etc//motd", "etc/motd")]
    [InlineData("etc/motd/", "etc/motd")]
    public void Normalize_gives_canonical_relative_paths(string input, string expected) =>
        Assert.Equal(expected, RootfsPath.Normalize(input));

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("usr/../../x")]
    [InlineData("a\0b")]
    [InlineData("/")]
    public void Normalize_rejects_paths_that_escape_or_are_empty(string input)
    {
        var error = Assert.Throws<InvalidInputException>(() => RootfsPath.Normalize(input, "test.tgz"));
        Assert.Equal("test.tgz", error.Input);
    }

    [Fact]
    public void Entries_with_parents_lists_every_directory_before_its_children()
    {
        var overlay = new RootfsOverlay();
        overlay.Add(RootfsEntry.File("usr/local/bin/docker", BytesContent.FromText("x", "t"), 0x1ED));
        overlay.Add(RootfsEntry.File("etc/motd", BytesContent.FromText("y", "t")));
        overlay.Add(RootfsEntry.File("usr-x/a", BytesContent.FromText("z", "t")));

        var paths = overlay.EntriesWithParents().Select(e => e.Path).ToList();

        Assert.Equal(["etc", "etc/motd", "usr", "usr/local", "usr/local/bin", "usr/local/bin/docker", "usr-x", "usr-x/a"], paths);
    }

    [Fact]
    public void A_later_addition_replaces_the_earlier_one()
    {
        var overlay = new RootfsOverlay();
        overlay.Add(RootfsEntry.File("/etc/motd", BytesContent.FromText("old", "first")));
        overlay.Add(RootfsEntry.File("etc/motd", BytesContent.FromText("new", "second")));

        Assert.True(overlay.TryGet("etc/motd", out var entry));
        Assert.Equal("second", entry.Content!.Description);
        Assert.Equal(1, overlay.Count);
    }
}
