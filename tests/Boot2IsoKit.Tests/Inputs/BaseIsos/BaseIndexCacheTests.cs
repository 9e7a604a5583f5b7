using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.BaseIsos;

/// <summary>
/// The index of a decoded base initrd: a second open of the same base reads it instead of decoding, with
/// the same listing and kept bytes; a damaged index is never trusted (decoded again and rewritten).
/// </summary>
public sealed class BaseIndexCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-base-index-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_second_open_reads_the_index_and_sees_what_the_decode_saw()
    {
        Requires.Tools("xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: TestContext.Current.CancellationToken);
        var cache = new BaseIndexCache(_directory);

        using var decoded = BaseIso.Open(fixture.IsoPath, cache);
        using var indexed = BaseIso.Open(fixture.IsoPath, cache);
        using var uncached = BaseIso.Open(fixture.IsoPath);

        Assert.False(decoded.FromIndexCache);
        Assert.True(indexed.FromIndexCache);
        Assert.Single(Directory.GetFiles(_directory, "*.index"));
        AssertSame(uncached.Contents, indexed.Contents);
        Assert.NotNull(indexed.Contents.ReadAllText("etc/os-release"));
        Assert.Equal(uncached.Contents.GlibcVersion, indexed.Contents.GlibcVersion);
    }

    /// <summary>
    /// An ISO built here by appending to a base the index knows (what Inspect and Verify open after a build) is
    /// listed from the base's index plus a decode of the appended member only, with the same result as a full decode.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_built_ISO_is_listed_from_its_base_index_and_its_appended_member()
    {
        Requires.Tools("xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: TestContext.Current.CancellationToken);
        using var harness = new RemasterHarness();
        var recipe = harness.WriteRecipe("""
            name: inspected
            base:
              release: v19.03.12
            motd: "appended\n"
            overlays:
              - {overlay}
            """, new Dictionary<string, (string, int)> { ["etc/b2ik-inspected"] = ("yes\n", 0x1A4) });
        var built = await harness.BuildAsync(recipe, ("base-iso", fixture.IsoPath), ("cache-dir", Path.Combine(_directory, "unused-cache")));
        var cache = new BaseIndexCache(_directory);
        using (var known = BaseIso.Open(fixture.IsoPath, cache))
        {
            Assert.Equal(known.InitrdNode.Size, known.DecodedBytes);
        }

        using var fromPrefix = BaseIso.Open(built.Iso, cache);
        using var again = BaseIso.Open(built.Iso, cache);
        using var uncached = BaseIso.Open(built.Iso);

        Assert.InRange(fromPrefix.DecodedBytes, 1, fromPrefix.InitrdNode.Size / 4);
        Assert.Equal(0, again.DecodedBytes);
        AssertSame(uncached.Contents, fromPrefix.Contents);
        AssertSame(uncached.Contents, again.Contents);
        Assert.Equal("yes\n", fromPrefix.Contents.ReadAllText("etc/b2ik-inspected"));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    [InlineData("garbage")]
    public async Task A_damaged_index_is_decoded_again_and_rewritten(string damage)
    {
        Requires.Tools("xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.Old, ct: TestContext.Current.CancellationToken);
        var cache = new BaseIndexCache(_directory);
        using (BaseIso.Open(fixture.IsoPath, cache))
        {
        }

        var index = Assert.Single(Directory.GetFiles(_directory, "*.index"));
        var bytes = File.ReadAllBytes(index);
        File.WriteAllBytes(index, damage switch
        {
            "flip" => Flip(bytes, bytes.Length / 2),
            "truncate" => bytes[..(bytes.Length - 100)],
            "empty" => [],
            _ => [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37))],
        });

        using var reopened = BaseIso.Open(fixture.IsoPath, cache);
        using var again = BaseIso.Open(fixture.IsoPath, cache);
        using var uncached = BaseIso.Open(fixture.IsoPath);

        Assert.False(reopened.FromIndexCache);
        AssertSame(uncached.Contents, reopened.Contents);
        Assert.True(again.FromIndexCache);
        Assert.Equal(bytes, File.ReadAllBytes(index));
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x40;
        return copy;
    }

    private static void AssertSame(InitrdContents expected, InitrdContents actual)
    {
        Assert.Equal(expected.Members, actual.Members);
        Assert.Equal(expected.Entries.Count, actual.Entries.Count);
        foreach (var (e, a) in expected.Entries.Zip(actual.Entries))
        {
            Assert.Equal(e with { Data = null }, a with { Data = null });
            Assert.Equal(e.Data, a.Data);
        }
    }
}
