using Boot2IsoKit.Inputs.Releases;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Testing.Http;

namespace Boot2IsoKit.Tests.Inputs.Releases;

public sealed class Boot2DockerReleasesTests : IAsyncLifetime
{
    private const string Token = "ghp_TestTokenThatMustNeverLeak0123456789";

    private FakeGitHub _github = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _github = await FakeGitHub.StartAsync();

    public ValueTask DisposeAsync() => _github.DisposeAsync();

    private Boot2DockerReleases Client(string? token = null, string repository = FakeGitHub.Repository, Uri? api = null) =>
        new(new Boot2DockerReleaseOptions { Repository = repository, ApiBaseUrl = api ?? _github.BaseAddress, Token = token });

    [Fact]
    public async Task Latest_is_the_newest_final_release_with_its_iso_asset_and_layout()
    {
        var release = await Client().ResolveAsync(cancellationToken: Cancel);
        var iso = release.Asset();

        Assert.Equal("v19.03.12", release.Tag);
        Assert.False(release.Prerelease);
        Assert.Same(IsoLayout.New, release.Layout);
        Assert.Equal(("boot2docker.iso", 57671680L), (iso.Name, iso.Size));
        Assert.Equal(new Uri(_github.BaseAddress, "boot2docker/boot2docker/releases/download/v19.03.12/boot2docker.iso"), iso.DownloadUrl);
        Assert.Equal("/api/v3/repos/boot2docker/boot2docker/releases/latest", _github.Server.Requests.Single().PathAndQuery);
        Assert.Equal(new Boot2IsoKit.Inputs.InputCache.InputRequest("base-iso", iso.DownloadUrl, "v19.03.12", null, 57671680L, "boot2docker.iso"), release.IsoInput());
    }

    [Fact]
    public async Task An_enterprise_style_base_url_with_api_v3_works_the_same()
    {
        var release = await Client(api: new Uri(_github.BaseAddress, "api/v3/")).ResolveAsync("v18.09.9", cancellationToken: Cancel);

        Assert.Equal("v18.09.9", release.Tag);
        Assert.Same(IsoLayout.New, release.Layout);
    }

    [Fact]
    public async Task An_exact_tag_resolves_with_or_without_the_v()
    {
        var tagged = await Client().ResolveAsync("v18.06.1-ce", cancellationToken: Cancel);
        var bare = await Client().ResolveAsync("18.06.1-ce", cancellationToken: Cancel);

        Assert.Equal("v18.06.1-ce", tagged.Tag);
        Assert.Equal("v18.06.1-ce", bare.Tag);
        Assert.Same(IsoLayout.Old, bare.Layout);
        Assert.Equal(92274688L, bare.Asset("boot2docker.iso").Size);
    }

    [Fact]
    public async Task Pre_releases_count_only_when_asked()
    {
        var newest = await Client().ResolveAsync(Boot2DockerReleases.Latest, includePrereleases: true, Cancel);

        Assert.Equal("v20.10.0-rc1", newest.Tag);
        Assert.True(newest.Prerelease);
    }

    [Fact]
    public async Task Finds_the_experimental_iso_and_names_the_assets_when_one_is_missing()
    {
        var experimental = await Client().FindAssetAsync("v1.12.2", "boot2docker-experimental.iso", cancellationToken: Cancel);
        var error = await Assert.ThrowsAsync<ReleaseNotFoundException>(() => Client().FindAssetAsync("v19.03.12", "boot2docker-experimental.iso", cancellationToken: Cancel));

        Assert.Equal(36700160L, experimental.Size);
        Assert.Contains("no asset 'boot2docker-experimental.iso' in release v19.03.12 of boot2docker/boot2docker", error.Message, StringComparison.Ordinal);
        Assert.Contains("boot2docker.iso", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_follows_the_link_header_across_pages()
    {
        var all = await Client().ListAsync(maxPages: 10, pageSize: 2, cancellationToken: Cancel);
        var twoPages = await Client().ListAsync(maxPages: 2, pageSize: 2, cancellationToken: Cancel);

        Assert.Equal(["v20.10.0-rc1", "v19.03.12", "v19.03.5", "v18.09.9", "v18.09.0", "v18.06.1-ce", "v1.12.2"], all.Select(r => r.Tag));
        Assert.Equal(4, twoPages.Count);
        Assert.Contains(_github.Server.Requests, r => r.PathAndQuery.Contains("page=4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_tag_or_repository_is_a_typed_404_naming_both()
    {
        var tag = await Assert.ThrowsAsync<ReleaseNotFoundException>(() => Client().ResolveAsync("v99.0.0", cancellationToken: Cancel));
        var fork = await Assert.ThrowsAsync<ReleaseNotFoundException>(() => Client(repository: "someone/boot2docker-fork").ResolveAsync(cancellationToken: Cancel));

        Assert.Contains("'v99.0.0' in boot2docker/boot2docker", tag.Message, StringComparison.Ordinal);
        Assert.Contains("someone/boot2docker-fork", fork.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidInputException>(() => Client(repository: "not-a-repository"));
    }

    [Fact]
    public async Task The_rate_limit_error_gives_the_reset_time_and_the_token_hint()
    {
        var reset = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(37).ToUnixTimeSeconds());
        _github.RateLimitedUntil = reset;

        var error = await Assert.ThrowsAsync<GitHubRateLimitException>(() => Client().ResolveAsync(cancellationToken: Cancel));

        Assert.Equal(reset, error.ResetsAt);
        Assert.Contains(reset.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC", error.Message, StringComparison.Ordinal);
        Assert.Contains("GITHUB_TOKEN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_is_sent_but_never_appears_in_errors_or_descriptions()
    {
        var options = Boot2DockerReleaseOptions.FromEnvironment(FakeGitHub.Repository, _github.BaseAddress, name => name == "GITHUB_TOKEN" ? Token : null);
        var client = new Boot2DockerReleases(options);

        await client.ResolveAsync(cancellationToken: Cancel);
        var notFound = await Assert.ThrowsAsync<ReleaseNotFoundException>(() => client.ResolveAsync("v0.0.1", cancellationToken: Cancel));
        _github.RateLimitedUntil = DateTimeOffset.UtcNow.AddMinutes(5);
        var limited = await Assert.ThrowsAsync<GitHubRateLimitException>(() => client.ResolveAsync(cancellationToken: Cancel));
        var offline = await Assert.ThrowsAsync<GitHubUnreachableException>(() =>
            new Boot2DockerReleases(new Boot2DockerReleaseOptions { ApiBaseUrl = LoopbackHttpServer.UnusedAddress(), Token = Token }).ResolveAsync(cancellationToken: Cancel));

        Assert.Contains(Token, _github.Server.Requests.First().Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("the token in GITHUB_TOKEN", limited.Message, StringComparison.Ordinal);
        foreach (var text in new[] { notFound.ToString(), limited.ToString(), offline.ToString(), options.ToString() })
        {
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task No_network_names_offline_and_the_input_cache()
    {
        var client = new Boot2DockerReleases(new Boot2DockerReleaseOptions { ApiBaseUrl = LoopbackHttpServer.UnusedAddress() });

        var error = await Assert.ThrowsAsync<GitHubUnreachableException>(() => client.ResolveAsync(cancellationToken: Cancel));

        Assert.Contains("--offline", error.Message, StringComparison.Ordinal);
        Assert.Contains("input cache", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1.12.2", "old")]
    [InlineData("v18.06.1-ce", "old")]
    [InlineData("v18.09.0", "new")]
    [InlineData("19.03.12", "new")]
    [InlineData("v20.10.8-xfs", "new")]
    public void Layout_follows_the_tag(string tag, string layout) => Assert.Equal(layout, IsoLayout.ForRelease(tag).Name);
}
