using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Testing.Docker;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Docker;

/// <summary>
/// The two builders are interchangeable: the same recipe and inputs through the pipeline's native and
/// docker builders give the same bytes at every path of the plan's delta, and the same final rootfs.
/// </summary>
[Collection(DockerEngineTests.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BuilderParityTests : IDisposable
{
    // sbin/ipvsadm brings libraries under lib64, which the fixture links to lib (as boot2docker does): the
    // link must stay a link; usr/bin/sudo is the base's setuid binary, which both builds must keep 4755.
    private static readonly string[] TouchedPaths = ["etc/os-release", "etc/motd", "usr/local/bin/docker", "etc/b2ik-parity", "etc/b2ik/test.d/70-parity", "sbin/ipvsadm", "usr/local/bin/dockerd", "usr/local/lib/b2ik/dockerd", "usr/local/lib/b2ik/load-images", "usr/local/etc/b2ik/daemon/labels.args", "usr/local/etc/b2ik/images/label"];
    private static readonly long EveryFile = long.MaxValue;
    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Native_and_docker_builders_write_the_same_rootfs_changes()
    {
        Requires.Tools("dockerd", "debootstrap", "xorriso", "cpio", "xz");
        using var connection = await DockerEngineSupport.ConnectOrSkipAsync();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var baseImage = await StandInImages.EnsureAsync(connection, fixture, ct: ct);
        // daemon: and images: put a script in front of the engine's dockerd: the client is packed as both.
        var engine = await TestEngine.CreateWithDockerdNameAsync(_harness.Path("engine"), ct);
        var image = TestImages.WriteArchive(_harness.Path("image"), "b2ik/parity:1");
        var recipe = _harness.WriteRecipe($$"""
            name: parity
            base:
              release: v19.03.12
            engine:
              version: {{engine.Version}}
              tgz: {{engine.TgzPath}}
            motd: |
              WARNING: parity test.
            packages:
              - deb: ipvsadm
                suite: bookworm
                binaries: [/sbin/ipvsadm]
            overlays:
              - {overlay}
            daemon:
              labels: [parity=1]
              features: {buildkit: true}
            images:
              - archive: {{image}}
            """, new Dictionary<string, (string, int)>
        {
            ["etc/b2ik-parity"] = ("same in both\n", 0x1A4),
            ["etc/b2ik/test.d/70-parity"] = ("#!/bin/sh\ncat /etc/b2ik-parity\n", 0x1ED),
        });

        var native = await _harness.BuildAsync(recipe, ("base-iso", fixture.IsoPath), ("output", _harness.Path("native.iso")));
        var docker = await _harness.BuildAsync(recipe, ("base-iso", fixture.IsoPath), ("builder", "docker"), ("base-image", baseImage), ("output", _harness.Path("docker.iso")));

        var fromNative = FinalRootfs(native.Iso);
        var fromDocker = FinalRootfs(docker.Iso);
        foreach (var path in TouchedPaths)
        {
            Assert.True(fromNative.ContainsKey(path), $"native ISO lacks /{path}");
            Assert.True(fromDocker.ContainsKey(path), $"docker ISO lacks /{path}");
        }

        // Every path of the plan's delta, then the whole final rootfs: same kind, mode, owner, link target and bytes.
        var harnessPlan = await _harness.PlanAsync(recipe, ("base-iso", fixture.IsoPath));
        // A delta path lands where the rootfs's symlinks send it (lib64/libnl-3.so.200 is lib/libnl-3.so.200 here).
        var baseLinks = fromNative.Where(p => p.Value.StartsWith("Symlink ", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value.Split(' ')[3], StringComparer.Ordinal);
        foreach (var planned in harnessPlan)
        {
            var entry = ThroughLinks(planned, baseLinks);
            Assert.True(fromNative.TryGetValue(entry, out var n), $"native ISO lacks delta path /{entry}");
            Assert.True(fromDocker.TryGetValue(entry, out var d), $"docker ISO lacks delta path /{entry}");
            Assert.True(n == d, $"delta path /{entry} differs between the builders: native {n}, docker {d}");
        }

        var wholeNative = FinalRootfs(native.Iso);
        var wholeDocker = FinalRootfs(docker.Iso);
        Assert.StartsWith("Symlink 777 0:0 lib ", wholeDocker["lib64"], StringComparison.Ordinal);
        Assert.StartsWith("File 4755 0:0 ", wholeDocker["usr/bin/sudo"], StringComparison.Ordinal);
        Assert.Equal(wholeNative.Keys.Order(StringComparer.Ordinal), wholeDocker.Keys.Order(StringComparer.Ordinal));
        Assert.All(wholeNative, pair => Assert.True(pair.Value == wholeDocker[pair.Key], $"/{pair.Key} differs: native {pair.Value}, docker {wholeDocker[pair.Key]}"));
        Assert.Equal(native.Label, docker.Label);

        // The images ride on both ISOs' own file systems, byte for byte.
        Assert.Equal(IsoFile(native.Iso, "b2ik/images/01-parity-1.tar"), IsoFile(docker.Iso, "b2ik/images/01-parity-1.tar"));
        Assert.Equal(IsoFile(native.Iso, "b2ik/images/SET"), IsoFile(docker.Iso, "b2ik/images/SET"));
        Assert.Equal(await File.ReadAllBytesAsync(image, ct), IsoFile(native.Iso, "b2ik/images/01-parity-1.tar"));

        // Both builds file the same bill of materials: every file with the same sha256, from the same inputs.
        var nativeFiles = await BillOfMaterialsFilesAsync(native.Iso, ct);
        Assert.True(nativeFiles.Count > TouchedPaths.Length, $"only {nativeFiles.Count} files in the native build's bill of materials");
        Assert.Equal(nativeFiles, await BillOfMaterialsFilesAsync(docker.Iso, ct));
    }

    /// <summary>Each file of an ISO's SPDX document ("./etc/motd") with its sha256, sorted by name.</summary>
    private static async Task<List<string>> BillOfMaterialsFilesAsync(string isoPath, CancellationToken ct)
    {
        var path = Boot2IsoKit.Stages.BillOfMaterials.BillOfMaterialsWriter.PathFor(isoPath);
        Assert.True(File.Exists(path), $"no bill of materials beside {isoPath}");
        using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllBytesAsync(path, ct));
        return [.. document.RootElement.GetProperty("files").EnumerateArray()
            .Select(f => f.GetProperty("fileName").GetString() + " " + f.GetProperty("checksums").EnumerateArray()
                .Single(c => c.GetProperty("algorithm").GetString() == "SHA256").GetProperty("checksumValue").GetString())
            .Order(StringComparer.Ordinal)];
    }

    private static byte[] IsoFile(string isoPath, string path)
    {
        using var image = IsoImage.Open(isoPath);
        using var stream = image.OpenFile(image.Find(path) ?? throw new InvalidOperationException($"{isoPath} has no /{path}"));
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// The final rootfs (last member wins, as the kernel applies them), keyed by where each path lands: a member
    /// named under a symlinked directory (lib64/libnl-3.so.200 with lib64 -> lib) is written through the link, as
    /// the kernel's initramfs unpacker does. Each path: kind, mode, owner, link target and sha256.
    /// </summary>
    private static Dictionary<string, string> FinalRootfs(string isoPath)
    {
        using var image = IsoImage.Open(isoPath);
        using var initrd = image.OpenFile(image.Find("boot/initrd.img")!);
        var contents = new InitrdReader(initrd, isoPath).ReadContents(header => header.FileSize < EveryFile);
        var paths = contents.Entries.Select(e => e.Path).Distinct(StringComparer.Ordinal).ToList();
        var links = paths.Select(p => (Path: p, Entry: contents.Find(p)!))
            .Where(p => p.Entry.Header.Kind == Boot2IsoKit.Model.Rootfs.RootfsEntryKind.Symlink)
            .ToDictionary(p => p.Path, p => p.Entry.SymlinkTarget!, StringComparer.Ordinal);
        var final = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in paths)
        {
            var entry = contents.Find(p)!;
            var bytes = contents.ReadAllBytes(p);
            final[ThroughLinks(p, links)] = $"{entry.Header.Kind} {Convert.ToString(entry.Header.Permissions, 8)} {entry.Header.Uid}:{entry.Header.Gid} {entry.SymlinkTarget} {(bytes is null ? "-" : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)))}";
        }

        return final;
    }

    /// <summary>The path with every parent that is a symlink replaced by its target (the last segment is not followed).</summary>
    private static string ThroughLinks(string path, Dictionary<string, string> links)
    {
        var segments = new List<string>();
        var pending = new Queue<string>(path.Split('/'));
        var hops = 0;
        while (pending.TryDequeue(out var segment))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
            if (pending.Count > 0 && links.TryGetValue(string.Join('/', segments), out var target) && hops++ < 40)
            {
                segments.RemoveAt(segments.Count - 1);
                if (target.StartsWith('/'))
                {
                    segments.Clear();
                }

                pending = new Queue<string>(target.Split('/').Concat(pending));
            }
        }

        return string.Join('/', segments);
    }
}
