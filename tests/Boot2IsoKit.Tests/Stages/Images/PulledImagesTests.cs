using System.Text;
using Boot2IsoKit.Formats.DockerArchive;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Inputs.Registry;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Inputs.Registry;
using Boot2IsoKit.Tests.Stages.Remaster;

namespace Boot2IsoKit.Tests.Stages.Images;

/// <summary>
/// images: references through the whole native pipeline, against real registries (Debian's docker-registry, an
/// htpasswd one among them): Fetch pulls by digest into the input cache and an --offline build then makes the same ISO
/// with no registry running; an empty cache offline names the image; a wrong password and a blob that does not match
/// its digest stop the build before anything is written, and the password is in no message.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PulledImagesTests(RegistryFixture registries) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly RemasterHarness _harness = new();
    private readonly string _passwordVariable = "B2IK_TEST_REGISTRY_PASSWORD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_passwordVariable, null);
        _harness.Dispose();
    }

    private async Task<string> RecipeAsync(string name, string reference, string registryHost, string? password)
    {
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await TestEngine.CreateWithDockerdNameAsync(_harness.Path("engine"), ct);
        Environment.SetEnvironmentVariable(_passwordVariable, password);
        return _harness.WriteRecipe($"""
            name: {name}
            base:
              iso: {fixture.IsoPath}
            engine:
              version: {engine.Version}
              tgz: {engine.TgzPath}
            images:
              - ref: {reference}
            registries:
              {registryHost}:
                plain-http: true
                username: {RegistryFixture.Username}
                password-env: {_passwordVariable}
            """);
    }

    [Fact]
    public async Task Fetch_pulls_into_the_cache_and_an_offline_build_makes_the_same_iso()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var reference = $"{registries.Basic.HostAddress}/{registries.Image}";
        var recipe = await RecipeAsync("pulled", reference, registries.Basic.HostAddress, RegistryFixture.Password);
        var cache = _harness.Path("cache");

        var online = await _harness.BuildAsync(recipe, ("cache-dir", cache), ("output", _harness.Path("online.iso")));

        // The cache holds what the reference resolved to and each blob under its digest.
        var entries = new InputCacheStore(cache, null, offline: true).Entries;
        var resolved = Assert.Single(entries, e => e.Kind == InputKinds.Image);
        Assert.Equal(reference, resolved.Version);
        Assert.Equal(2, entries.Count(e => e.Kind == InputKinds.ImageBlob)); // the tiny image: its config and one layer

        // docker pull of the same reference on the host gives the image ID the record promises Verify.
        await ExternalTool.RunCheckedAsync("docker", ["pull", $"{registries.Anonymous.HostAddress}/{registries.Image}"], cancellationToken: ct);
        try
        {
            Assert.Equal([await TestImages.IdAsync($"{registries.Anonymous.HostAddress}/{registries.Image}", ct)], online.Verify!.Images);
        }
        finally
        {
            await TestImages.RemoveAsync($"{registries.Anonymous.HostAddress}/{registries.Image}", ct);
        }

        // Offline, with the password gone: nothing is asked of the registry, and the ISO is the same.
        Environment.SetEnvironmentVariable(_passwordVariable, null);
        var offline = await _harness.BuildAsync(recipe, ("cache-dir", cache), ("offline", "true"), ("output", _harness.Path("offline.iso")));
        Assert.Equal(online.Sha256, offline.Sha256);

        // The archive on the ISO loads as the image the registry serves: its tag and its config digest.
        var extracted = _harness.Path("extracted");
        Directory.CreateDirectory(extracted);
        await ExternalTool.RunCheckedAsync("bsdtar", ["-xf", offline.Iso, "-C", extracted, "b2ik/images"], cancellationToken: ct);
        var archive = Directory.GetFiles(Path.Combine(extracted, "b2ik", "images"), "*.tar").Single();
        var image = Assert.Single(DockerArchiveReader.Read(archive, ct));
        Assert.Equal([reference], image.RepoTags);
        Assert.Equal(online.Verify!.Images, [image.ImageId]);
    }

    [Fact]
    public async Task Offline_with_an_empty_cache_the_missing_image_is_named()
    {
        registries.Require();
        var reference = $"{registries.Basic.HostAddress}/{registries.Image}";
        var recipe = await RecipeAsync("pulled-offline", reference, registries.Basic.HostAddress, null);

        var error = await Assert.ThrowsAsync<MissingInputsException>(() => _harness.BuildAsync(recipe, ("cache-dir", _harness.Path("empty-cache")), ("offline", "true")));

        Assert.Contains(error.Missing, m => m.Kind == InputKinds.Image && m.Version == reference);
        Assert.False(File.Exists(_harness.Path("out.iso")));
    }

    [Fact]
    public async Task A_wrong_password_stops_the_build_and_is_in_no_message()
    {
        registries.Require();
        const string Wrong = "not-the-Password-42";
        var recipe = await RecipeAsync("pulled-denied", $"{registries.Basic.HostAddress}/{registries.Image}", registries.Basic.HostAddress, Wrong);

        var error = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => _harness.BuildAsync(recipe, ("cache-dir", _harness.Path("cache-denied"))));

        Assert.Equal(registries.Basic.HostAddress, error.Registry);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain(Wrong, e.Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(_harness.Path("out.iso")));
    }

    [Fact]
    public async Task A_layer_that_does_not_match_its_digest_stops_the_build_before_anything_is_written()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        // An image of its own (pushed through the API), whose layer is then damaged in the registry's storage.
        var repository = "b2ik/damaged-" + Guid.NewGuid().ToString("N")[..8];
        var source = TestImages.WriteArchive(_harness.Path("damaged"), repository + ":1");
        using var http = new HttpClient();
        var layer = await File.ReadAllBytesAsync(Directory.GetFiles(_harness.Path("damaged"), "*-layer-0").Single(), ct);
        var config = await File.ReadAllBytesAsync(Directory.GetFiles(_harness.Path("damaged"), "*-config.json").Single(), ct);
        var layerDigest = await RegistryPush.BlobAsync(http, registries.Anonymous.BaseAddress, repository, layer, ct);
        var configDigest = await RegistryPush.BlobAsync(http, registries.Anonymous.BaseAddress, repository, config, ct);
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":{{config.Length}},"digest":"{{configDigest}}"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":{{layer.Length}},"digest":"{{layerDigest}}"}]}""");
        var manifestDigest = await RegistryPush.ManifestAsync(http, registries.Anonymous.BaseAddress, repository, "1", "application/vnd.docker.distribution.manifest.v2+json", manifest, ct);
        Assert.True(File.Exists(source));
        var stored = RegistryPush.BlobData(registries.Storage, layerDigest);
        var bytes = await File.ReadAllBytesAsync(stored, ct);
        bytes[^5] ^= 0xFF;
        await File.WriteAllBytesAsync(stored, bytes, ct);

        var recipe = await RecipeAsync("pulled-damaged", $"{registries.Anonymous.HostAddress}/{repository}@{manifestDigest}", registries.Anonymous.HostAddress, "unused");
        var error = await Assert.ThrowsAsync<RegistryDigestMismatchException>(() => _harness.BuildAsync(recipe, ("cache-dir", _harness.Path("cache-damaged"))));

        Assert.Equal(layerDigest, error.Expected);
        Assert.False(File.Exists(_harness.Path("out.iso")));
        Assert.DoesNotContain(Directory.EnumerateFiles(_harness.Path("cache-damaged"), "*", SearchOption.AllDirectories), f => f.Contains(layerDigest["sha256:".Length..], StringComparison.Ordinal));
    }
}
