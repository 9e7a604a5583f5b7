using System.Text.RegularExpressions;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.Pipeline;
using Boot2IsoKit.Stages.Planning;
using Boot2IsoKit.Testing.Fixtures;

namespace Boot2IsoKit.Tests.Stages.Pipeline;

/// <summary>The one argument table: it parses, refuses what it does not know, and is what the README lists.</summary>
public sealed partial class PipelineArgumentsTests
{
    [Theory]
    [InlineData("ofline", "--offline")]
    [InlineData("engin-tgz", "--engine-tgz")]
    [InlineData("base_iso", "--base-iso")]
    [InlineData("Outptu", "--output")]
    public void An_unknown_name_is_refused_with_the_closest_known_one(string typo, string closest)
    {
        var error = Assert.Throws<InvalidInputException>(() => PipelineArguments.Read(new Dictionary<string, string> { [typo] = "x" }));
        Assert.Contains("--" + typo, error.Message, StringComparison.Ordinal);
        Assert.Contains($"did you mean {closest}?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_near_nothing_gets_no_suggestion()
    {
        var error = Assert.Throws<InvalidInputException>(() => PipelineArguments.Read(new Dictionary<string, string> { ["xyzzy-plugh"] = "" }));
        Assert.DoesNotContain("did you mean", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("builder", "podman", "native, docker")]
    [InlineData("initrd", "zip", "append, merge")]
    [InlineData("initrd-compression", "gzip", "xz, lzma")]
    [InlineData("offline", "maybe", "true or false")]
    [InlineData("engine-url", "not a url", "absolute")]
    [InlineData("engine-version", "20.10", "not an engine version")]
    [InlineData("engine-version", "v20.10.24", "not an engine version")]
    public void A_bad_value_is_refused_naming_the_argument(string name, string value, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => PipelineArguments.Read(new Dictionary<string, string> { [name] = value }));
        Assert.Contains("--" + name, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_and_flags_are_parsed_and_Cake_switches_are_left_to_Cake()
    {
        var arguments = PipelineArguments.Read(new Dictionary<string, string>
        {
            ["target"] = "ExperimentalIso",
            ["verbosity"] = "diagnostic",
            ["settings_enablescriptcache"] = "true",
            ["offline"] = "true",
            ["no-cache"] = "",
            ["builder"] = "Docker",
            ["initrd"] = "merge",
            ["initrd-compression"] = "lzma",
            ["engine-url"] = "https://engines.example.invalid/docker-28.2.2.tgz",
            ["restore"] = "true",
        });

        Assert.True(arguments.Offline);
        Assert.True(arguments.NoCache);
        Assert.Equal(BuilderKind.Docker, arguments.Builder);
        Assert.Equal(InitrdOverlayMode.Merge, arguments.Initrd);
        Assert.Equal(InitrdCompression.Lzma, arguments.MergeCompression);
        Assert.Equal(new Uri("https://engines.example.invalid/docker-28.2.2.tgz"), arguments.EngineUrl);
        Assert.Equal("", arguments.Restore);
        Assert.False(arguments.Force);
    }

    /// <summary>The README's argument list comes from the table: every name, nothing else.</summary>
    [Fact]
    public void The_README_lists_exactly_the_table()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "README.md"));
        var line = readme.Split('\n').Single(l => l.StartsWith("Arguments (read in one place", StringComparison.Ordinal));
        var paragraph = readme[readme.IndexOf(line, StringComparison.Ordinal)..].Split("\n\n")[0];
        var listed = ArgumentName().Matches(paragraph).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(PipelineArguments.Table.Select(a => a.Name), listed);
    }

    [GeneratedRegex(@"`--([a-z-]+)[^`]*`")]
    private static partial Regex ArgumentName();
}
