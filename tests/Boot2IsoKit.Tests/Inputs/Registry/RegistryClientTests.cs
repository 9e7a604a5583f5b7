using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Boot2IsoKit.Inputs.Registry;
using Boot2IsoKit.Testing.Http;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Testing.Tools;
using Microsoft.AspNetCore.Http;

namespace Boot2IsoKit.Tests.Inputs.Registry;

/// <summary>
/// <see cref="RegistryClient"/> against real registries (distribution 2.8): what it pulls is what docker itself pulls,
/// the three ways of authenticating work against the registry's own checks, and every tampered or cut byte is refused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RegistryClientTests(RegistryFixture registries) : IClassFixture<RegistryFixture>, IDisposable
{
    private const string OciConfig = "application/vnd.oci.image.config.v1+json";
    private const string OciGzipLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-pull-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public async Task An_anonymous_pull_gives_what_docker_pull_gives()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var reference = Parse($"{registries.Anonymous.HostAddress}/{registries.Image}");
        var access = RegistryAccess.For(reference, plainHttp: true);
        using var client = new RegistryClient();

        var image = await client.ResolveAsync(reference, access, ct);
        Assert.Null(image.IndexDigest);
        var manifest = await client.FetchManifestAsync(reference, access, image.ManifestDigest, ct);
        Assert.Equal(image.ManifestDigest, RegistryPush.Digest(manifest));
        var config = await client.FetchBlobAsync(image, image.Config, access, _scratch, cancellationToken: ct);
        Assert.Equal(Path.Combine(_scratch, image.Config.Hex), config);
        long reported = 0;
        var layers = new List<string>();
        foreach (var layer in image.Layers)
        {
            layers.Add(await client.FetchBlobAsync(image, layer, access, _scratch, new SyncProgress(b => reported = b), ct));
            Assert.Equal(layer.Size, reported);
        }

        // Independent check 1: each layer, gunzipped, is the tar whose sha256 the config lists as its diff_id.
        var diffIds = JsonNode.Parse(await File.ReadAllBytesAsync(config, ct))!["rootfs"]!["diff_ids"]!.AsArray().Select(d => d!.GetValue<string>()).ToList();
        Assert.Equal(diffIds, await Task.WhenAll(layers.Select(GunzippedDigestAsync)));

        // Independent check 2: docker pulls the same image: its ID is the config digest, its layers these diff ids,
        // its repo digest the manifest digest.
        var name = reference.Registry + "/" + reference.Repository;
        try
        {
            await ExternalTool.RunCheckedAsync("docker", ["pull", reference.ToString()], timeout: TimeSpan.FromMinutes(2), cancellationToken: ct);
            var inspect = await ExternalTool.RunCheckedAsync("docker", ["image", "inspect", reference.ToString()], cancellationToken: ct);
            var docker = JsonNode.Parse(inspect.StandardOutput)!.AsArray().Single()!;
            Assert.Equal(image.Config.Digest, docker["Id"]!.GetValue<string>());
            Assert.Equal(diffIds, docker["RootFS"]!["Layers"]!.AsArray().Select(l => l!.GetValue<string>()));
            Assert.Contains(name + "@" + image.ManifestDigest, docker["RepoDigests"]!.AsArray().Select(d => d!.GetValue<string>()));
        }
        finally
        {
            await ExternalTool.RunAsync("docker", ["rmi", reference.ToString()], cancellationToken: ct);
        }

        // A verified file is kept; a damaged one is replaced.
        var before = File.GetLastWriteTimeUtc(config);
        Assert.Equal(config, await client.FetchBlobAsync(image, image.Config, access, _scratch, cancellationToken: ct));
        Assert.Equal(before, File.GetLastWriteTimeUtc(config));
        await File.WriteAllTextAsync(layers[0], "damaged", ct);
        await client.FetchBlobAsync(image, image.Layers[0], access, _scratch, cancellationToken: ct);
        Assert.Equal(image.Layers[0].Digest, "sha256:" + await FileHashHex(layers[0]));

        // By digest, the same image; an unknown tag is a typed 404.
        var pinned = reference with { Tag = null, Digest = image.ManifestDigest };
        Assert.Equal(image with { Reference = pinned }, await client.ResolveAsync(pinned, access, ct) with { Reference = pinned }, new ResolvedImageComparer());
        var missing = await Assert.ThrowsAsync<RegistryNotFoundException>(() => client.ResolveAsync(reference with { Tag = "no-such-tag" }, access, ct));
        Assert.Equal(reference.Repository, missing.Repository);
        Assert.Contains("MANIFEST_UNKNOWN", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_registry_with_a_private_ca_is_refused_until_that_ca_is_trusted()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var reference = Parse($"{registries.Tls.HostAddress}/{registries.Image}");
        var access = RegistryAccess.For(reference);
        Assert.Equal("https", access.BaseAddress.Scheme);

        using (var untrusting = new RegistryClient())
        {
            var refused = await Assert.ThrowsAsync<RegistryTransferException>(() => untrusting.ResolveAsync(reference, access, ct));
            Assert.Contains("private CA", refused.Message, StringComparison.Ordinal);
        }

        using var authorityOnly = X509CertificateLoader.LoadCertificate(registries.Authority.RawData);
        using var trusting = new RegistryClient(null, new RegistryClientOptions { TrustedAuthorities = [authorityOnly] });
        var image = await trusting.ResolveAsync(reference, access, ct);
        await trusting.FetchBlobAsync(image, image.Layers[0], access, _scratch, cancellationToken: ct);

        using var other = TestRegistry.MakeAuthority("Some Other CA");
        using var wrongTrust = new RegistryClient(null, new RegistryClientOptions { TrustedAuthorities = [other] });
        await Assert.ThrowsAsync<RegistryTransferException>(() => wrongTrust.ResolveAsync(reference, access, ct));
    }

    [Fact]
    public async Task Basic_auth_pulls_with_the_right_password_and_names_the_registry_without_the_password_otherwise()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var reference = Parse($"{registries.Basic.HostAddress}/{registries.Image}");
        using var client = new RegistryClient();

        var right = RegistryAccess.For(reference, true, new RegistryCredentials(RegistryFixture.Username, RegistryFixture.Password));
        var image = await client.ResolveAsync(reference, right, ct);
        await client.FetchBlobAsync(image, image.Layers[0], right, _scratch, cancellationToken: ct);

        var wrong = RegistryAccess.For(reference, true, new RegistryCredentials(RegistryFixture.Username, "Wr0ng-secret-word"));
        using var fresh = new RegistryClient();
        var refused = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => fresh.ResolveAsync(reference, wrong, ct));
        Assert.IsNotType<RegistryCredentialsRequiredException>(refused);
        Assert.Equal(reference.Registry, refused.Registry);
        Assert.Equal(reference.Repository, refused.Repository);
        Assert.Contains(RegistryFixture.Username, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wr0ng-secret-word", refused.ToString(), StringComparison.Ordinal);

        var anonymous = RegistryAccess.For(reference, plainHttp: true) with { CredentialsHint = "Set registries: in the recipe." };
        var required = await Assert.ThrowsAsync<RegistryCredentialsRequiredException>(() => fresh.ResolveAsync(reference, anonymous, ct));
        Assert.Contains(reference.Registry, required.Message, StringComparison.Ordinal);
        Assert.Contains("Set registries: in the recipe.", required.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bearer_tokens_from_our_token_server_are_accepted_by_the_registry_and_cached()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var reference = Parse($"{registries.Token.HostAddress}/{registries.Image}");
        var access = RegistryAccess.For(reference, true, new RegistryCredentials(RegistryFixture.Username, RegistryFixture.Password));
        var before = registries.TokenServer.Requests.Count;
        using var client = new RegistryClient();

        var image = await client.ResolveAsync(reference, access, ct);
        foreach (var blob in image.Layers.Prepend(image.Config))
        {
            await client.FetchBlobAsync(image, blob, access, _scratch, cancellationToken: ct);
        }

        // The registry does check tokens: one it did not get from our server is refused.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, new Uri(registries.Token.BaseAddress, $"v2/{reference.Repository}/manifests/{image.ManifestDigest}")))
        {
            forged.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
            using var answer = await _http.SendAsync(forged, ct);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        var asked = Assert.Single(registries.TokenServer.Requests.Skip(before));
        Assert.Contains("scope=" + Uri.EscapeDataString($"repository:{reference.Repository}:pull"), asked.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("service=" + TestTokenServer.Service, asked.PathAndQuery, StringComparison.Ordinal);

        using var fresh = new RegistryClient();
        var noCredentials = await Assert.ThrowsAsync<RegistryCredentialsRequiredException>(
            () => fresh.ResolveAsync(reference, RegistryAccess.For(reference, plainHttp: true), ct));
        Assert.Contains("Bearer", noCredentials.Message, StringComparison.Ordinal);
        var wrong = await Assert.ThrowsAsync<RegistryAuthenticationException>(
            () => fresh.ResolveAsync(reference, RegistryAccess.For(reference, true, new RegistryCredentials(RegistryFixture.Username, "Wr0ng-secret-word")), ct));
        Assert.DoesNotContain("Wr0ng-secret-word", wrong.ToString(), StringComparison.Ordinal);

        registries.TokenServer.Refuse = true;
        try
        {
            var refused = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => fresh.ResolveAsync(reference, access, ct));
            Assert.IsNotType<RegistryCredentialsRequiredException>(refused);
            Assert.Contains("token server", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(RegistryFixture.Password, refused.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            registries.TokenServer.Refuse = false;
        }
    }

    [Fact]
    public async Task A_manifest_list_or_index_resolves_to_its_linux_amd64_image_and_one_without_it_is_refused()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var registry = registries.Anonymous.BaseAddress;
        var reference = Parse($"{registries.Anonymous.HostAddress}/{registries.Image}");
        var access = RegistryAccess.For(reference, plainHttp: true);
        using var client = new RegistryClient();
        var amd64 = await client.ResolveAsync(reference, access, ct);
        var amd64Bytes = await client.FetchManifestAsync(reference, access, amd64.ManifestDigest, ct);
        var arm64Bytes = await PushImageAsync(registry, reference.Repository, "arm64", amd64.Layers, ct);

        JsonObject Entry(byte[] manifest, string architecture) => new()
        {
            ["mediaType"] = MediaTypes.DockerManifest,
            ["digest"] = RegistryPush.Digest(manifest),
            ["size"] = manifest.Length,
            ["platform"] = new JsonObject { ["architecture"] = architecture, ["os"] = "linux", ["variant"] = architecture == "arm64" ? "v8" : null },
        };

        foreach (var mediaType in (string[])[MediaTypes.DockerManifestList, MediaTypes.OciIndex])
        {
            var list = Json(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = mediaType, ["manifests"] = new JsonArray(Entry(arm64Bytes, "arm64"), Entry(amd64Bytes, "amd64")) });
            var listDigest = await RegistryPush.ManifestAsync(_http, registry, reference.Repository, "multi", mediaType, list, ct);
            foreach (var named in (ImageReference[])[reference with { Tag = "multi" }, reference with { Tag = null, Digest = listDigest }])
            {
                var image = await client.ResolveAsync(named, access, ct);
                Assert.Equal(amd64.ManifestDigest, image.ManifestDigest);
                Assert.Equal(listDigest, image.IndexDigest);
                Assert.Equal(amd64.Config, image.Config);
                Assert.Equal(amd64.Layers, image.Layers);
            }
        }

        var armOnly = Json(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = new JsonArray(Entry(arm64Bytes, "arm64")) });
        await RegistryPush.ManifestAsync(_http, registry, reference.Repository, "arm-only", MediaTypes.OciIndex, armOnly, ct);
        var refused = await Assert.ThrowsAsync<RegistryUnsupportedManifestException>(() => client.ResolveAsync(reference with { Tag = "arm-only" }, access, ct));
        Assert.Equal(UnsupportedManifestReason.NoLinuxAmd64, refused.Reason);
        Assert.Contains("linux/arm64/v8", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_with_a_non_distributable_layer_is_refused()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var reference = Parse($"{registries.Anonymous.HostAddress}/{registries.Image}");
        var access = RegistryAccess.For(reference, plainHttp: true);
        using var client = new RegistryClient();
        var original = await client.ResolveAsync(reference, access, ct);
        var manifest = OciManifest(
            original.Config with { MediaType = OciConfig },
            original.Layers.Select(l => l with { MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" }),
            null);
        await RegistryPush.ManifestAsync(_http, registries.Anonymous.BaseAddress, reference.Repository, "foreign", MediaTypes.OciManifest, manifest, ct);

        var refused = await Assert.ThrowsAsync<RegistryUnsupportedManifestException>(() => client.ResolveAsync(reference with { Tag = "foreign" }, access, ct));
        Assert.Equal(UnsupportedManifestReason.ForeignLayer, refused.Reason);
    }

    [Fact]
    public async Task A_manifest_tampered_in_the_registry_store_is_refused_by_digest_and_by_tag()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var reference = Parse($"{registries.Anonymous.HostAddress}/{registries.Image}");
        var access = RegistryAccess.For(reference, plainHttp: true);
        using var client = new RegistryClient();
        var original = await client.ResolveAsync(reference, access, ct);
        var marker = Guid.NewGuid().ToString("N");
        var manifest = OciManifest(original.Config with { MediaType = OciConfig }, original.Layers.Select(l => l with { MediaType = OciGzipLayer }), marker);
        var tag = "tamper-" + marker[..8];
        var digest = await RegistryPush.ManifestAsync(_http, registries.Anonymous.BaseAddress, reference.Repository, tag, MediaTypes.OciManifest, manifest, ct);
        var pinned = reference with { Tag = null, Digest = digest };
        Assert.Equal(digest, (await client.ResolveAsync(pinned, access, ct)).ManifestDigest);

        var data = RegistryPush.BlobData(registries.Storage, digest);
        await File.WriteAllTextAsync(data, Encoding.UTF8.GetString(manifest).Replace(marker, Guid.NewGuid().ToString("N"), StringComparison.Ordinal), ct);

        var byDigest = await Assert.ThrowsAsync<RegistryDigestMismatchException>(() => client.ResolveAsync(pinned, access, ct));
        Assert.Equal(digest, byDigest.Expected);
        Assert.NotEqual(digest, byDigest.Actual);
        await Assert.ThrowsAsync<RegistryDigestMismatchException>(() => client.FetchManifestAsync(reference, access, digest, ct));
        var byTag = await Assert.ThrowsAsync<RegistryDigestMismatchException>(() => client.ResolveAsync(reference with { Tag = tag }, access, ct));
        Assert.Equal(digest, byTag.Expected);
    }

    [Fact]
    public async Task A_layer_tampered_in_the_registry_store_is_refused_and_nothing_is_left()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var reference = Parse($"{registries.Anonymous.HostAddress}/b2ik/tampered-layer:1");
        var access = RegistryAccess.For(reference, plainHttp: true);
        var layer = await PushUniqueImageAsync(reference, ct);
        using var client = new RegistryClient();
        var image = await client.ResolveAsync(reference, access, ct);
        Assert.Equal([layer], image.Layers);

        var data = RegistryPush.BlobData(registries.Storage, layer.Digest);
        var bytes = await File.ReadAllBytesAsync(data, ct);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(data, bytes, ct);

        var destination = Directory.CreateDirectory(Path.Combine(_scratch, "blobs")).FullName;
        var refused = await Assert.ThrowsAsync<RegistryDigestMismatchException>(() => client.FetchBlobAsync(image, layer, access, destination, cancellationToken: ct));
        Assert.Equal(layer.Digest, refused.Expected);
        Assert.NotEqual(layer.Digest, refused.Actual);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
    }

    [Fact]
    public async Task A_blob_cut_short_by_the_server_is_an_error_and_leaves_no_file()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var upstream = registries.Anonymous.BaseAddress;
        var pushed = Parse($"{registries.Anonymous.HostAddress}/b2ik/cut-short:1");
        var layer = await PushUniqueImageAsync(pushed, ct);
        await using var front = await LoopbackHttpServer.StartAsync(async context =>
        {
            if (context.Request.Path.Value!.Contains("/blobs/", StringComparison.Ordinal))
            {
                // The headers announce the whole blob; half of it comes, then the connection is reset.
                var bytes = await _http.GetByteArrayAsync(new Uri(upstream, context.Request.Path.Value![1..]), context.RequestAborted);
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(TimeSpan.FromMilliseconds(200), context.RequestAborted);
                context.Abort();
                return;
            }

            await ForwardAsync(context, upstream, null);
        });
        var reference = Parse($"{front.BaseAddress.Authority}/{pushed.Repository}:1");
        var access = new RegistryAccess(front.BaseAddress, null);
        using var client = new RegistryClient();
        var image = await client.ResolveAsync(reference, access, ct);
        var destination = Directory.CreateDirectory(Path.Combine(_scratch, "cut")).FullName;

        var cut = await Assert.ThrowsAsync<RegistryTransferException>(() => client.FetchBlobAsync(image, layer, access, destination, cancellationToken: ct));
        Assert.Contains(layer.Digest, cut.Message, StringComparison.Ordinal);
        Assert.Contains($"of {layer.Size} bytes", cut.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
    }

    [Fact]
    public async Task A_stalled_blob_times_out_and_a_cancelled_pull_stops_and_neither_leaves_a_file()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var upstream = registries.Anonymous.BaseAddress;
        var stalling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var front = await LoopbackHttpServer.StartAsync(async context =>
        {
            if (context.Request.Path.Value!.Contains("/blobs/", StringComparison.Ordinal))
            {
                stalling.TrySetResult();
                await LoopbackResponses.StallAsync(context, announcedLength: 1 << 20, prefix: 1024);
                return;
            }

            await ForwardAsync(context, upstream, null);
        });
        var reference = Parse($"{front.BaseAddress.Authority}/{registries.Image}");
        var access = new RegistryAccess(front.BaseAddress, null);
        var destination = Directory.CreateDirectory(Path.Combine(_scratch, "stall")).FullName;

        using (var patient = new RegistryClient(null, new RegistryClientOptions { ReadTimeout = TimeSpan.FromSeconds(1) }))
        {
            var image = await patient.ResolveAsync(reference, access, ct);
            var layer = image.Layers[0] with { Size = 1 << 20 };
            var stalled = await Assert.ThrowsAsync<RegistryTransferException>(() => patient.FetchBlobAsync(image, layer, access, destination, cancellationToken: ct));
            Assert.Contains("stalled", stalled.Message, StringComparison.Ordinal);
        }

        using (var client = new RegistryClient())
        {
            var image = await client.ResolveAsync(reference, access, ct);
            var layer = image.Layers[0] with { Size = 1 << 20 };
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stalling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pull = client.FetchBlobAsync(image, layer, access, destination, cancellationToken: cancel.Token);
            await stalling.Task.WaitAsync(ct);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pull);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
    }

    [Fact]
    public async Task A_blob_redirected_to_another_host_gets_no_authorization_header()
    {
        registries.Require();
        var ct = TestContext.Current.CancellationToken;
        var anonymous = registries.Anonymous.BaseAddress;
        await using var storage = await LoopbackHttpServer.StartAsync(async context =>
        {
            var bytes = await _http.GetByteArrayAsync(new Uri(anonymous, context.Request.Path.Value![1..]), context.RequestAborted);
            await LoopbackResponses.FileAsync(context, bytes, LoopbackResponses.Quote("blob"), ranges: false);
        });
        // The same machine under another name and port: to the client, another host.
        var storageUrl = new UriBuilder(storage.BaseAddress) { Host = "localhost" }.Uri;
        await using var front = await LoopbackHttpServer.StartAsync(async context =>
        {
            if (context.Request.Path.Value!.Contains("/blobs/", StringComparison.Ordinal) && context.Request.Headers.Authorization.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                context.Response.Headers.Location = new Uri(storageUrl, context.Request.Path.Value![1..]).ToString();
                return;
            }

            await ForwardAsync(context, registries.Basic.BaseAddress, context.Request.Headers.Authorization.ToString());
        });
        var reference = Parse($"{front.BaseAddress.Authority}/{registries.Image}");
        var access = new RegistryAccess(front.BaseAddress, new RegistryCredentials(RegistryFixture.Username, RegistryFixture.Password));
        using var client = new RegistryClient();
        var image = await client.ResolveAsync(reference, access, ct);
        var path = await client.FetchBlobAsync(image, image.Layers[0], access, _scratch, cancellationToken: ct);

        Assert.Equal(image.Layers[0].Digest, "sha256:" + await FileHashHex(path));
        Assert.Contains(front.Requests, r => r.PathAndQuery.Contains("/blobs/", StringComparison.Ordinal) && r.Headers.ContainsKey("Authorization"));
        var redirected = Assert.Single(storage.Requests);
        Assert.False(redirected.Headers.ContainsKey("Authorization"), "the Authorization header went to another host");
    }

    private static ImageReference Parse(string text)
    {
        Assert.True(ImageReference.TryParse(text, out var reference, out var problem), problem);
        return reference!;
    }

    private static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    private static byte[] OciManifest(ImageDescriptor config, IEnumerable<ImageDescriptor> layers, string? marker)
    {
        static JsonObject Descriptor(ImageDescriptor d) => new() { ["mediaType"] = d.MediaType, ["digest"] = d.Digest, ["size"] = d.Size };
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = Descriptor(config),
            ["layers"] = new JsonArray([.. layers.Select(Descriptor)]),
        };
        if (marker is not null)
        {
            manifest["annotations"] = new JsonObject { ["org.boot2isokit.test"] = marker };
        }

        return Json(manifest);
    }

    /// <summary>An OCI image of one unique layer (random bytes) pushed as <paramref name="reference"/>; returns the layer's descriptor.</summary>
    private async Task<ImageDescriptor> PushUniqueImageAsync(ImageReference reference, CancellationToken ct)
    {
        var registry = registries.Anonymous.BaseAddress;
        var (layer, diffId) = UniqueLayer();
        var config = Json(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
        });
        var layerDescriptor = new ImageDescriptor(OciGzipLayer, await RegistryPush.BlobAsync(_http, registry, reference.Repository, layer, ct), layer.Length);
        var configDescriptor = new ImageDescriptor(OciConfig, await RegistryPush.BlobAsync(_http, registry, reference.Repository, config, ct), config.Length);
        await RegistryPush.ManifestAsync(_http, registry, reference.Repository, reference.Tag!, MediaTypes.OciManifest, OciManifest(configDescriptor, [layerDescriptor], null), ct);
        return layerDescriptor;
    }

    /// <summary>A config for <paramref name="architecture"/> over the same layers, and its docker schema 2 manifest, pushed by digest.</summary>
    private async Task<byte[]> PushImageAsync(Uri registry, string repository, string architecture, IReadOnlyList<ImageDescriptor> layers, CancellationToken ct)
    {
        var config = Json(new JsonObject { ["architecture"] = architecture, ["os"] = "linux", ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() } });
        var configDigest = await RegistryPush.BlobAsync(_http, registry, repository, config, ct);
        var manifest = Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.DockerManifest,
            ["config"] = new JsonObject { ["mediaType"] = MediaTypes.DockerConfig, ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new JsonArray([.. layers.Select(l => (JsonNode)new JsonObject { ["mediaType"] = l.MediaType, ["digest"] = l.Digest, ["size"] = l.Size })]),
        });
        await RegistryPush.ManifestAsync(_http, registry, repository, RegistryPush.Digest(manifest), MediaTypes.DockerManifest, manifest, ct);
        return manifest;
    }

    /// <summary>A gzip tar of one file with random content (so its blob is in no other test), and the tar's digest (its diff id).</summary>
    private static (byte[] Layer, string DiffId) UniqueLayer()
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "random.bin") { DataStream = new MemoryStream(RandomNumberGenerator.GetBytes(64 * 1024)) });
        }

        using var gzip = new MemoryStream();
        using (var compressor = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
        {
            compressor.Write(tar.ToArray());
        }

        return (gzip.ToArray(), RegistryPush.Digest(tar.ToArray()));
    }

    private static async Task<string> GunzippedDigestAsync(string path)
    {
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        return "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(gzip));
    }

    private static async Task<string> FileHashHex(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    /// <summary>Passes a GET on to <paramref name="upstream"/> and its answer back: status, the headers a registry client reads, body.</summary>
    private async Task ForwardAsync(HttpContext context, Uri upstream, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(upstream, context.Request.Path.Value![1..] + context.Request.QueryString));
        request.Headers.TryAddWithoutValidation("Accept", context.Request.Headers.Accept.ToString());
        if (!string.IsNullOrEmpty(authorization))
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _http.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var name in (string[])["Docker-Content-Digest", "WWW-Authenticate", "Location"])
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
        if (response.Content.Headers.ContentType is { } type)
        {
            context.Response.ContentType = type.ToString();
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    private sealed class ResolvedImageComparer : IEqualityComparer<ResolvedImage>
    {
        public bool Equals(ResolvedImage? x, ResolvedImage? y) =>
            x is not null && y is not null && x.ManifestDigest == y.ManifestDigest && x.IndexDigest == y.IndexDigest && x.Config == y.Config && x.Layers.SequenceEqual(y.Layers);

        public int GetHashCode(ResolvedImage obj) => obj.ManifestDigest.GetHashCode(StringComparison.Ordinal);
    }
}
