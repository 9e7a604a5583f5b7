using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Tests.Plumbing.IO;

/// <summary>Parts read in order, each to its declared length; a part that lies about its length is an error.</summary>
public sealed class ConcatenatedContentTests
{
    [Fact]
    public void The_parts_are_read_one_after_the_other_and_opened_only_when_reached()
    {
        var opened = new List<string>();
        IContentSource Part(string name, byte[] bytes) => new DelegateContent(bytes.Length, name, () =>
        {
            opened.Add(name);
            return new MemoryStream(bytes);
        });
        var first = Enumerable.Range(0, 70000).Select(i => (byte)i).ToArray();
        var content = new ConcatenatedContent("joined", Part("first", first), Part("empty", []), Part("last", [1, 2, 3]));

        Assert.Equal(70003, content.Length);
        using var stream = content.OpenRead();
        var head = new byte[10];
        stream.ReadExactly(head);
        Assert.Equal(["first"], opened);
        using var rest = new MemoryStream();
        stream.CopyTo(rest);

        Assert.Equal(first.Concat(new byte[] { 1, 2, 3 }), head.Concat(rest.ToArray()));
        Assert.Equal(["first", "empty", "last"], opened);
    }

    [Theory]
    [InlineData(5, 4)]
    [InlineData(5, 6)]
    public void A_part_of_another_length_than_declared_is_an_error_naming_it(int declared, int actual)
    {
        var content = new ConcatenatedContent("joined", new DelegateContent(declared, "the base initrd", () => new MemoryStream(new byte[actual])), new BytesContent(new byte[] { 9 }, "tail"));
        using var stream = content.OpenRead();

        var error = Assert.Throws<IOException>(() => stream.CopyTo(Stream.Null));

        Assert.Contains("the base initrd", error.Message, StringComparison.Ordinal);
    }
}
