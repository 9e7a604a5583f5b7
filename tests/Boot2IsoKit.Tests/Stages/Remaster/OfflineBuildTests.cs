using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Http;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Remaster;

/// <summary>
/// Issue 6's proof: once the input cache holds the recipe's base release and engine, --offline builds
/// the ISO without a single request to the engine site (and without GitHub, which is unreachable here anyway).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OfflineBuildTests
{
    [Fact]
    public async Task An_offline_build_from_a_filled_cache_makes_no_request()
    {
        Requires.Tools("xorriso", "apt-get", "dpkg-deb", "cpio", "xz");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        using var harness = new RemasterHarness();
        var engine = await TestEngine.CreateAsync(harness.Path("engine"), ct);
        var tgz = await File.ReadAllBytesAsync(engine.TgzPath, ct);
        await using var site = await LoopbackHttpServer.StartAsync(context => LoopbackResponses.FileAsync(context, tgz, "engine"));
        var stable = site.Url("linux/static/stable/x86_64/");
        var cacheDirectory = harness.Path("cache");

        // Fill the cache the way Fetch does on a connected machine: the release's ISO and the engine download.
        using (var downloader = new Downloader())
        {
            var cache = new InputCacheStore(cacheDirectory, downloader);
            await cache.GetAsync(new InputRequest(InputKinds.BaseIso, new Uri(fixture.IsoPath), "v19.03.12", Name: "boot2docker.iso"), ct);
            var sources = EngineSources.FromSettings(new Dictionary<string, string> { ["stable"] = stable.AbsoluteUri });
            await EngineDownload.Resolve(EngineVersion.Parse(engine.Version), sources).FetchAsync(cache, cancellationToken: ct);
        }

        var requestsWhileOnline = site.RequestCount;
        var recipe = harness.WriteRecipe($$"""
            name: offline
            base:
              release: v19.03.12
            engine:
              version: {{engine.Version}}
              sources:
                stable: {{stable.AbsoluteUri}}
            motd: "built offline\n"
            """);

        var record = await harness.BuildAsync(recipe, ("offline", "true"), ("cache-dir", cacheDirectory));

        Assert.True(requestsWhileOnline > 0);
        Assert.Equal(requestsWhileOnline, site.RequestCount);
        using var iso = IsoImage.Open(record.Iso);
        Assert.Equal("b2d-v" + engine.Version, iso.VolumeId);
    }

    [Fact]
    public async Task An_offline_build_names_every_missing_input()
    {
        using var harness = new RemasterHarness();
        var recipe = harness.WriteRecipe("""
            name: offline-missing
            base:
              release: v19.03.12
            engine:
              version: 20.10.24
              sources:
                stable: https://engines.example.invalid/linux/static/stable/x86_64/
            """);

        var error = await Assert.ThrowsAsync<MissingInputsException>(() => harness.BuildAsync(recipe, ("offline", "true"), ("cache-dir", harness.Path("empty-cache"))));

        Assert.Contains("docker-20.10.24.tgz", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(harness.Path("out.iso")));
    }
}
