using System.Security.Cryptography;
using Boot2IsoKit.Stages.Pipeline;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Http;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Tests.Formats.Initramfs;
using Boot2IsoKit.Tests.Inputs.TinyCore;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.BillOfMaterials;

/// <summary>
/// Two native builds of one recipe that uses every kind of input (a base ISO, an engine from a loopback
/// download site, an overlay directory, a Debian package with its libraries, a Tiny Core extension from a
/// loopback mirror), in two directories, one after the other: made once for the tests of the class.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BillOfMaterialsBuilds : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<IDisposable> _owned = [];
    private readonly List<IAsyncDisposable> _servers = [];
    private Built? _built;

    /// <param name="First">The first build's record.</param>
    /// <param name="Second">The second build's record (another directory, later).</param>
    /// <param name="Extension">The .tcz served by the mirror, and its URL.</param>
    /// <param name="EngineUrl">Where the engine was downloaded from.</param>
    /// <param name="Image">The docker-load archive of the recipe's images:.</param>
    public sealed record Built(BuildRecord First, BuildRecord Second, FixtureIso Fixture, string Extension, Uri ExtensionUrl, Uri EngineUrl, string EngineVersion, string CacheDirectory, string Image);

    public const string ExtensionName = "hello.tcz";
    public const string ExtensionBinary = "usr/local/bin/hello-b2ik";
    public const string OverlayFile = "etc/b2ik/sbom-overlay.txt";
    public const string ImageTag = "b2ik/sbom-image:1";

    /// <summary>Tools and a Debian mirror the builds need: skipped without them, failed under CI.</summary>
    public static void Require()
    {
        Requires.Tools("xorriso", "apt-get", "dpkg-deb", "cpio", "xz", "mksquashfs", "bsdtar");
        RequiresMirror.Get();
    }

    public async Task<Built> GetAsync()
    {
        Require();
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return _built ??= await BuildAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Built> BuildAsync(CancellationToken ct)
    {
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var scratch = new Scratch();
        _owned.Add(scratch);
        await scratch.Sh($"""
            mkdir -p tcz/usr/local/bin tcz/usr/local/tce.installed
            printf '#!/bin/sh\necho hello from an extension\n' > tcz/{ExtensionBinary} && chmod 755 tcz/{ExtensionBinary}
            printf '#!/bin/sh\ntouch /tmp/hello-setup-ran\n' > tcz/usr/local/tce.installed/hello && chmod 755 tcz/usr/local/tce.installed/hello
            mksquashfs tcz {ExtensionName} -b 4K -noappend -no-progress -quiet -all-root
            """);
        var extension = scratch[ExtensionName];
        var mirror = await TinyCoreMirrorServer.StartAsync(10);
        _servers.Add(mirror);
        mirror.Add(ExtensionName, await File.ReadAllBytesAsync(extension, ct));

        // images: needs the engine's dockerd (the script in front of it starts the loader): the client packed as both.
        var engine = await TestEngine.CreateWithDockerdNameAsync(scratch["engine"], ct);
        var image = TestImages.WriteArchive(scratch["images"], ImageTag);
        var tgz = await File.ReadAllBytesAsync(engine.TgzPath, ct);
        var site = await LoopbackHttpServer.StartAsync(context => LoopbackResponses.FileAsync(context, tgz, "engine"));
        _servers.Add(site);
        var stable = site.Url("linux/static/stable/x86_64/");

        var cache = Path.Combine(scratch.Root, "cache");
        var records = new List<BuildRecord>();
        for (var i = 0; i < 2; i++)
        {
            var harness = new RemasterHarness();
            _owned.Add(harness);
            var recipe = harness.WriteRecipe(
                $$"""
                name: sbom
                base:
                  iso: {{fixture.IsoPath}}
                engine:
                  version: {{engine.Version}}
                  sources:
                    stable: {{stable.AbsoluteUri}}
                overlays:
                  - {overlay}
                packages:
                  - deb: ipvsadm
                    suite: bullseye
                    binaries: [/sbin/ipvsadm]
                    mode: closure
                extensions: [hello]
                images:
                  - archive: {{image}}
                tinycore:
                  mirror: {{mirror.Http.BaseAddress}}
                motd: "a bill of materials\n"
                """,
                new Dictionary<string, (string, int)> { [OverlayFile] = ("listed in the bill of materials\n", 0x1A4) });
            records.Add(await harness.BuildAsync(recipe, ("cache-dir", cache)));
        }

        return new Built(records[0], records[1], fixture, extension, mirror.Http.Url(mirror.Directory + ExtensionName), site.Url($"linux/static/stable/x86_64/docker-{engine.Version}.tgz"), engine.Version, cache, image);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _gate.Dispose();
    }
}
