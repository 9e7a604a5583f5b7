using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Testing.Http;

namespace Boot2IsoKit.Tests.Inputs.InputCache;

public sealed class InputCacheStoreTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-cache-").FullName;
    private readonly byte[] _iso = RandomNumberGenerator.GetBytes(700_000);
    private readonly byte[] _engine = RandomNumberGenerator.GetBytes(300_000);
    private readonly Downloader _downloader = new(new DownloaderOptions { InitialBackoff = TimeSpan.FromMilliseconds(10), MaxAttempts = 2 });
    private LoopbackHttpServer _site = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string CacheRoot => Path.Combine(_directory, "cache");

    private InputRequest Iso => new(InputKinds.BaseIso, _site.Url("boot2docker/boot2docker/releases/download/v19.03.12/boot2docker.iso"), "v19.03.12", Size: _iso.Length);

    private InputRequest Engine => new(InputKinds.EngineTgz, _site.Url("linux/static/stable/x86_64/docker-27.3.1.tgz"), "27.3.1", Sha256Of(_engine));

    public async ValueTask InitializeAsync()
    {
        _site = await LoopbackHttpServer.StartAsync(c => c.Request.Path.Value!.EndsWith(".iso", StringComparison.Ordinal)
            ? LoopbackResponses.FileAsync(c, _iso, LoopbackResponses.Quote("iso"))
            : LoopbackResponses.FileAsync(c, _engine, LoopbackResponses.Quote("tgz")));
    }

    public async ValueTask DisposeAsync()
    {
        await _site.DisposeAsync();
        _downloader.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task Fetching_stores_files_by_sha256_with_a_manifest_and_the_second_lookup_is_local()
    {
        var cache = new InputCacheStore(CacheRoot, _downloader);

        var (iso, engine) = (await cache.GetAsync(Iso, Cancel), await cache.GetAsync(Engine, Cancel));
        var again = await cache.GetAsync(Iso with { Url = _site.Url("another/url/boot2docker.iso") }, Cancel);

        Assert.Equal(Path.Combine(CacheRoot, "sha256", Sha256Of(_iso)), iso.Path);
        Assert.Equal(_iso, await File.ReadAllBytesAsync(iso.Path, Cancel));
        Assert.Equal(_engine, await File.ReadAllBytesAsync(engine.Path, Cancel));
        Assert.Equal(iso.Path, again.Path);
        Assert.Equal(2, _site.RequestCount);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(CacheRoot, "manifest.json"), Cancel))!;
        var first = manifest["inputs"]![0]!;
        Assert.Equal(("base-iso", "v19.03.12", "boot2docker.iso", Sha256Of(_iso), (long)_iso.Length),
            ((string)first["kind"]!, (string)first["version"]!, (string)first["name"]!, (string)first["sha256"]!, (long)first["size"]!));
        Assert.Equal(Iso.Url.AbsoluteUri, (string)first["url"]!);
        Assert.True(DateTimeOffset.Parse((string)first["fetchedAt"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.False(Directory.EnumerateFiles(Path.Combine(CacheRoot, "incoming")).Any());
    }

    [Fact]
    public async Task Offline_lookups_of_a_filled_cache_make_no_connection()
    {
        await new InputCacheStore(CacheRoot, _downloader).GetAllAsync([Iso, Engine], Cancel);
        await using var watched = await LoopbackHttpServer.StartAsync(c => LoopbackResponses.FileAsync(c, _iso, "\"x\""));
        var offline = new InputCacheStore(CacheRoot, new Downloader(), offline: true);

        // Offline no release API can be asked, so the URL may differ: kind, version and file name identify the ISO.
        var found = await offline.GetAllAsync([Iso with { Url = watched.Url("mirror/boot2docker.iso") }, Engine with { Url = watched.Url("tgz") }], Cancel);

        Assert.Equal([_iso, _engine], [await File.ReadAllBytesAsync(found[0].Path, Cancel), await File.ReadAllBytesAsync(found[1].Path, Cancel)]);
        Assert.Equal(Sha256Of(_engine), offline.FindBySha256(Sha256Of(_engine))!.Sha256);
        Assert.Equal("v19.03.12", offline.Newest(InputKinds.BaseIso, "boot2docker.iso")!.Version);
        Assert.Equal(0, watched.RequestCount);
    }

    [Fact]
    public async Task Offline_lists_every_missing_input_with_kind_version_and_url_and_fetches_nothing()
    {
        await new InputCacheStore(CacheRoot, _downloader).GetAsync(Iso, Cancel);
        var before = _site.RequestCount;
        var offline = new InputCacheStore(CacheRoot, null, offline: true);
        var deb = new InputRequest(InputKinds.Deb, _site.Url("pool/main/i/ipvsadm/ipvsadm_1.31-1+b1_amd64.deb"), "1.31-1+b1");

        var error = await Assert.ThrowsAsync<MissingInputsException>(() => offline.GetAllAsync([Iso, Engine, deb], Cancel));

        Assert.Equal([InputKinds.EngineTgz, InputKinds.Deb], error.Missing.Select(m => m.Kind));
        Assert.Contains($"  engine-tgz 27.3.1 {Engine.Url}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"  deb 1.31-1+b1 {deb.Url}", error.Message, StringComparison.Ordinal);
        Assert.Contains("--target=Fetch", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _site.RequestCount);
    }

    [Fact]
    public async Task A_corrupted_cached_file_is_fetched_again_online_and_reported_missing_offline()
    {
        var cache = new InputCacheStore(CacheRoot, _downloader);
        var cached = await cache.GetAsync(Engine, Cancel);
        var bytes = await File.ReadAllBytesAsync(cached.Path, Cancel);
        bytes[1234] ^= 0x40;
        await File.WriteAllBytesAsync(cached.Path, bytes, Cancel);

        await Assert.ThrowsAsync<MissingInputsException>(() => new InputCacheStore(CacheRoot, null, offline: true).GetAsync(Engine, Cancel));
        var refetched = await cache.GetAsync(Engine, Cancel);

        Assert.Equal(_engine, await File.ReadAllBytesAsync(refetched.Path, Cancel));
        Assert.Equal(2, _site.RequestCount);
    }

    [Fact]
    public async Task Export_then_import_into_an_empty_cache_round_trips_and_works_offline()
    {
        var source = new InputCacheStore(CacheRoot, _downloader);
        await source.GetAllAsync([Iso, Engine], Cancel);
        var archive = Path.Combine(_directory, "inputs.tar.gz");

        Assert.Equal(2, await source.ExportAsync(archive, Cancel));
        var target = new InputCacheStore(Path.Combine(_directory, "airgapped"), null, offline: true);
        Assert.Equal(2, await target.ImportAsync(archive, Cancel));

        Assert.Equal(source.Entries.Select(e => (e.Kind, e.Version, e.Sha256, e.Size, e.Url)), target.Entries.Select(e => (e.Kind, e.Version, e.Sha256, e.Size, e.Url)));
        var found = await target.GetAllAsync([Iso, Engine], Cancel);
        Assert.Equal(_iso, await File.ReadAllBytesAsync(found[0].Path, Cancel));
        Assert.Equal(_engine, await File.ReadAllBytesAsync(found[1].Path, Cancel));
    }

    [Fact]
    public async Task Import_refuses_a_file_whose_hash_differs_from_its_name_and_merges_nothing()
    {
        var source = new InputCacheStore(CacheRoot, _downloader);
        await source.GetAsync(Engine, Cancel);
        var archive = Path.Combine(_directory, "tampered.tar.gz");
        var tampered = (byte[])_engine.Clone();
        tampered[0] ^= 1;
        await WriteArchiveAsync(archive, await File.ReadAllBytesAsync(Path.Combine(CacheRoot, "manifest.json"), Cancel), ($"sha256/{Sha256Of(_engine)}", tampered));
        var target = new InputCacheStore(Path.Combine(_directory, "airgapped"), null, offline: true);

        var error = await Assert.ThrowsAsync<InvalidInputCacheException>(() => target.ImportAsync(archive, Cancel));

        Assert.Equal($"sha256/{Sha256Of(_engine)}", error.Location);
        Assert.Empty(target.Entries);
        Assert.False(File.Exists(target.BlobPath(Sha256Of(_engine))));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("sha256/../../escape")]
    [InlineData("/etc/passwd")]
    public async Task Import_refuses_entries_outside_the_cache_layout(string name)
    {
        var archive = Path.Combine(_directory, "hostile.tar.gz");
        await WriteArchiveAsync(archive, "{\"format\":1,\"inputs\":[]}"u8.ToArray(), (name, [1, 2, 3]));
        var target = new InputCacheStore(Path.Combine(_directory, "airgapped"), null, offline: true);

        var error = await Assert.ThrowsAsync<InvalidInputCacheException>(() => target.ImportAsync(archive, Cancel));

        Assert.Equal(name, error.Location);
        Assert.False(File.Exists(Path.Combine(_directory, "escape")));
    }

    [Fact]
    public async Task Import_refuses_a_manifest_that_names_a_file_the_archive_lacks()
    {
        await new InputCacheStore(CacheRoot, _downloader).GetAsync(Engine, Cancel);
        var archive = Path.Combine(_directory, "partial.tar.gz");
        await WriteArchiveAsync(archive, await File.ReadAllBytesAsync(Path.Combine(CacheRoot, "manifest.json"), Cancel));

        await Assert.ThrowsAsync<InvalidInputCacheException>(() => new InputCacheStore(Path.Combine(_directory, "b"), null, offline: true).ImportAsync(archive, Cancel));
    }

    private static async Task WriteArchiveAsync(string path, byte[] manifest, params (string Name, byte[] Data)[] files)
    {
        await using var file = File.Create(path);
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(manifest) });
        foreach (var (name, data) in files)
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        }
    }
}
