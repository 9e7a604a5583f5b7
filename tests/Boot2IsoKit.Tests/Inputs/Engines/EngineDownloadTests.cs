using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Tests.Inputs.Engines;

public sealed class EngineDownloadTests
{
    // Placeholder hosts under the reserved .test domain: the repository names no real download site.
    private static readonly EngineSources Configured = EngineSources.FromEnvironment(name => name switch
    {
        "B2IK_ENGINE_BASE_URL" => "https://engines.example.test/linux/static/{channel}/x86_64/",
        "B2IK_ENGINE_BASE_URL_LEGACY_STABLE" => "https://get.example.test/builds/Linux/x86_64",
        "B2IK_ENGINE_BASE_URL_LEGACY_TEST" => "https://test.example.test/builds/Linux/x86_64/",
        "B2IK_ENGINE_BASE_URL_EXPERIMENTAL" => "https://experimental.example.test/builds/Linux/x86_64/",
        "B2IK_ENGINE_BASE_URL_MASTER" => "https://master.example.test/linux/amd64/",
        _ => null,
    });

    [Theory]
    [InlineData("27.3.1", EngineChannel.Stable, "https://engines.example.test/linux/static/stable/x86_64/docker-27.3.1.tgz", false)]
    [InlineData("19.03.12", EngineChannel.Stable, "https://engines.example.test/linux/static/stable/x86_64/docker-19.03.12.tgz", false)]
    [InlineData("19.03.0-rc3", EngineChannel.Test, "https://engines.example.test/linux/static/test/x86_64/docker-19.03.0-rc3.tgz", false)]
    [InlineData("18.09.0-beta3", EngineChannel.Test, "https://engines.example.test/linux/static/test/x86_64/docker-18.09.0-beta3.tgz", false)]
    [InlineData("18.06.1-ce", EngineChannel.Stable, "https://engines.example.test/linux/static/stable/x86_64/docker-18.06.1-ce.tgz", false)]
    [InlineData("17.03.0-ce", EngineChannel.Stable, "https://engines.example.test/linux/static/stable/x86_64/docker-17.03.0-ce.tgz", false)]
    [InlineData("17.04.0-ce-rc2", EngineChannel.Test, "https://engines.example.test/linux/static/test/x86_64/docker-17.04.0-ce-rc2.tgz", false)]
    [InlineData("0.0.0-20190625103807-bc76fbb", EngineChannel.Nightly, "https://engines.example.test/linux/static/nightly/x86_64/docker-0.0.0-20190625103807-bc76fbb.tgz", false)]
    [InlineData("17.03.0-ce-rc1", EngineChannel.Test, "https://test.example.test/builds/Linux/x86_64/docker-17.03.0-ce-rc1.tgz", false)]
    [InlineData("1.13.1", EngineChannel.Stable, "https://get.example.test/builds/Linux/x86_64/docker-1.13.1.tgz", true)]
    [InlineData("1.12.0-rc4", EngineChannel.Test, "https://test.example.test/builds/Linux/x86_64/docker-1.12.0-rc4.tgz", false)]
    [InlineData("1.12.2-experimental", EngineChannel.Experimental, "https://experimental.example.test/builds/Linux/x86_64/docker-1.12.2-experimental.tgz", false)]
    [InlineData("17.06.0-dev", EngineChannel.Master, "https://master.example.test/linux/amd64/docker-17.06.0-dev.tgz", true)]
    public void Picks_the_channel_and_builds_the_url_from_the_configured_sites(string version, EngineChannel channel, string url, bool publishesSha256)
    {
        var download = EngineDownload.Resolve(EngineVersion.Parse(version), Configured);

        Assert.Equal(channel, download.Channel);
        Assert.Equal(url, download.Url.AbsoluteUri);
        Assert.Equal(EngineArchiveKind.Tgz, download.ArchiveKind);
        Assert.Equal(publishesSha256, download.HasPublishedSha256);
        if (publishesSha256)
        {
            Assert.Equal(url + ".sha256", download.Sha256Url!.AbsoluteUri);
        }
    }

    [Fact]
    public void Versions_up_to_1_10_are_a_single_binary_without_extension()
    {
        var download = EngineDownload.Resolve(EngineVersion.Parse("1.9.1"), Configured);

        Assert.Equal(EngineArchiveKind.SingleBinary, download.ArchiveKind);
        Assert.Equal("https://get.example.test/builds/Linux/x86_64/docker-1.9.1", download.Url.AbsoluteUri);
    }

    [Fact]
    public void A_channel_override_and_a_per_channel_directory_win_over_the_template()
    {
        var sources = Configured.OverriddenBy(EngineSources.FromSettings(new Dictionary<string, string> { ["edge"] = "file:///srv/engines" }));

        var fromEdge = EngineDownload.Resolve(EngineVersion.Parse("18.06.1-ce"), sources, EngineChannel.Edge);

        Assert.Equal("file:///srv/engines/docker-18.06.1-ce.tgz", fromEdge.Url.AbsoluteUri);
    }

    // Where Docker's sites keep these versions (the directory listings of download.docker.com/linux/static/
    // and the URLs in boot2docker's v1.9–v1.13 Dockerfiles, Dockerfile.test and Dockerfile.experimental).
    [Theory]
    [InlineData("27.3.1", EngineChannel.Stable, "https://download.docker.com/linux/static/stable/x86_64/docker-27.3.1.tgz", false)]
    [InlineData("19.03.12", EngineChannel.Stable, "https://download.docker.com/linux/static/stable/x86_64/docker-19.03.12.tgz", false)]
    [InlineData("17.03.0-ce", EngineChannel.Stable, "https://download.docker.com/linux/static/stable/x86_64/docker-17.03.0-ce.tgz", false)]
    [InlineData("19.03.0-rc3", EngineChannel.Test, "https://download.docker.com/linux/static/test/x86_64/docker-19.03.0-rc3.tgz", false)]
    [InlineData("18.09.0-beta3", EngineChannel.Test, "https://download.docker.com/linux/static/test/x86_64/docker-18.09.0-beta3.tgz", false)]
    [InlineData("1.13.1", EngineChannel.Stable, "https://get.docker.com/builds/Linux/x86_64/docker-1.13.1.tgz", true)]
    [InlineData("1.12.0-rc4", EngineChannel.Test, "https://test.docker.com/builds/Linux/x86_64/docker-1.12.0-rc4.tgz", true)]
    [InlineData("1.12.2-experimental", EngineChannel.Experimental, "https://experimental.docker.com/builds/Linux/x86_64/docker-1.12.2-experimental.tgz", true)]
    [InlineData("1.9.1", EngineChannel.Stable, "https://get.docker.com/builds/Linux/x86_64/docker-1.9.1", true)]
    public void With_nothing_configured_the_url_is_where_dockers_own_site_has_the_version(string version, EngineChannel channel, string url, bool historical)
    {
        var download = EngineDownload.Resolve(EngineVersion.Parse(version), EngineSources.None);

        Assert.Equal(channel, download.Channel);
        Assert.Equal(url, download.Url.AbsoluteUri);
        Assert.Equal(historical, download.FromHistoricalSite);
    }

    [Fact]
    public void Edge_is_never_picked_for_a_version_but_is_there_when_the_recipe_asks_for_it()
    {
        var picked = EngineDownload.Resolve(EngineVersion.Parse("17.05.0-ce"), EngineSources.None);
        var asked = EngineDownload.Resolve(EngineVersion.Parse("17.05.0-ce"), EngineSources.None, EngineChannel.Edge);

        Assert.Equal(EngineChannel.Stable, picked.Channel);
        Assert.Equal("https://download.docker.com/linux/static/edge/x86_64/docker-17.05.0-ce.tgz", asked.Url.AbsoluteUri);
        Assert.False(asked.FromHistoricalSite);
    }

    [Fact]
    public void A_configured_site_is_never_called_historical()
    {
        Assert.False(EngineDownload.Resolve(EngineVersion.Parse("1.13.1"), Configured).FromHistoricalSite);
    }

    [Fact]
    public void Engine_url_overrides_everything_and_assumes_no_published_checksum()
    {
        var download = EngineDownload.FromUrl(EngineVersion.Parse("20.10.24"), new Uri("https://mirror.example.test/pinned/docker-20.10.24.tgz"));

        Assert.Null(download.Channel);
        Assert.Equal(EngineArchiveKind.Tgz, download.ArchiveKind);
        Assert.False(download.HasPublishedSha256);
        Assert.Equal("docker-20.10.24.tgz", download.FileName);
    }

    [Fact]
    public void Experimental_builds_after_1_x_are_rejected_with_the_daemon_flag_hint()
    {
        var error = Assert.Throws<InvalidInputException>(() => EngineDownload.Resolve(EngineVersion.Parse("17.06.0-ce-experimental"), Configured));

        Assert.Contains("--experimental", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown", "https://x.example.test/")]
    [InlineData("stable", "not a url")]
    [InlineData("stable", "ftp://x.example.test/")]
    [InlineData("stable", "https://x.example.test/{channel}/")]
    public void Bad_source_settings_are_named(string key, string value)
    {
        var error = Assert.Throws<InvalidInputException>(() => EngineSources.FromSettings(new Dictionary<string, string> { [key] = value }));

        Assert.Contains(key, error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_a_published_sha256_file()
    {
        var hex = new string('a', 64);

        Assert.Equal(hex, EngineDownload.ParseSha256File(hex.ToUpperInvariant() + "  docker-1.13.1.tgz\n", new Uri("https://x.example.test/a.sha256")));
        Assert.Throws<InvalidInputException>(() => EngineDownload.ParseSha256File("<html>not found</html>", new Uri("https://x.example.test/a.sha256")));
    }
}
