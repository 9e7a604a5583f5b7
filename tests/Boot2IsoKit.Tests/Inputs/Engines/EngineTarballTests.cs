using System.Security.Cryptography;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Tests.Formats.Initramfs;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.Engines;

public class EngineTarballTests
{
    private const long Mtime = 1_700_000_000;

    [Theory]
    [InlineData("usr/local/bin", "docker", EngineTarballLayout.SingleBinary)]
    [InlineData(".", "docker", EngineTarballLayout.SingleBinary)]
    [InlineData("docker", "docker docker-containerd docker-containerd-ctr docker-containerd-shim docker-runc", EngineTarballLayout.PrefixedDocker)]
    [InlineData("docker", "docker docker-containerd docker-containerd-ctr docker-containerd-shim docker-init docker-proxy docker-runc dockerd", EngineTarballLayout.PrefixedDocker)]
    [InlineData("docker", "containerd containerd-shim ctr docker docker-init docker-proxy dockerd runc", EngineTarballLayout.Modern)]
    public async Task Each_era_layout_becomes_usr_local_bin_binaries(string directory, string names, EngineTarballLayout layout)
    {
        Requires.Tool("tar");
        using var scratch = new Scratch();
        var list = names.Split(' ');
        await scratch.Sh($"mkdir -p src/{directory} && for n in {names}; do cp /bin/true src/{directory}/$n; chmod 0700 src/{directory}/$n; done && "
            + $"tar -C src -czf engine.tgz {(directory == "." ? string.Join(' ', list) : directory.Split('/')[0])}");

        var engine = EngineTarball.Extract(scratch["engine.tgz"], scratch["spool"], Mtime, TestContext.Current.CancellationToken);

        Assert.Equal(layout, engine.Layout);
        Assert.Equal(list.Order(StringComparer.Ordinal), engine.BinaryNames);
        var expectedHash = SHA256.HashData(await File.ReadAllBytesAsync("/bin/true", TestContext.Current.CancellationToken));
        foreach (var entry in engine.Entries)
        {
            Assert.StartsWith("usr/local/bin/", entry.Path, StringComparison.Ordinal);
            Assert.Equal(RootfsEntryKind.File, entry.Kind);
            Assert.Equal(0x1ED, entry.Permissions);
            Assert.Equal((0, 0, Mtime), (entry.Uid, entry.Gid, entry.ModificationTime));
            using var data = entry.Content!.OpenRead();
            Assert.Equal(expectedHash, SHA256.HashData(data));
        }

        var overlay = new RootfsOverlay();
        engine.AddTo(overlay);
        Assert.Equal(list.Length, overlay.Count);
    }

    [Fact]
    public async Task The_real_static_docker_client_round_trips_byte_for_byte()
    {
        var docker = Requires.Tool("/usr/local/bin/docker");
        using var scratch = new Scratch();
        await scratch.Sh($"mkdir -p src/docker && cp {docker} src/docker/docker && cp /bin/true src/docker/dockerd && ln -s docker src/docker/docker-alias && tar -C src -czf engine.tgz docker");

        var engine = EngineTarball.Extract(scratch["engine.tgz"], scratch["spool"], Mtime, TestContext.Current.CancellationToken);

        Assert.Equal(["docker", "docker-alias", "dockerd"], engine.BinaryNames);
        Assert.Equal("docker", engine.Entries.Single(e => e.Path.EndsWith("-alias", StringComparison.Ordinal)).LinkTarget);
        var client = engine.Entries.Single(e => e.Path == "usr/local/bin/docker");
        Assert.Equal(new FileInfo(docker).Length, client.Content!.Length);
        using var spooled = client.Content.OpenRead();
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(docker)), SHA256.HashData(spooled));
    }

    [Fact]
    public void A_raw_elf_download_is_the_single_docker_binary()
    {
        using var scratch = new Scratch();
        var engine = EngineTarball.Extract("/bin/true", scratch["spool"], Mtime, TestContext.Current.CancellationToken);
        Assert.Equal(EngineTarballLayout.SingleBinary, engine.Layout);
        Assert.Equal(["docker"], engine.BinaryNames);
    }

    [Theory]
    [InlineData("dotdot", "leaves the root")]
    [InlineData("absolute", "absolute")]
    [InlineData("escaping-symlink", "leaves the binary directory")]
    [InlineData("device", "do not belong")]
    [InlineData("stray", "unexpected")]
    [InlineData("empty", "no entry")]
    [InlineData("no-docker", "no docker")]
    [InlineData("truncated", "")]
    [InlineData("not-gzip", "gzip")]
    public async Task Hostile_or_broken_tarballs_are_refused_with_the_entry_named(string kind, string expected)
    {
        Requires.Tool("python3");
        using var scratch = new Scratch();
        var script = kind switch
        {
            "dotdot" => "add('docker/../../etc/passwd')",
            "absolute" => "add('/usr/local/bin/docker')",
            "escaping-symlink" => "add('docker/docker'); link('docker/runc', '../../etc/shadow')",
            "device" => "add('docker/docker'); dev('docker/null')",
            "stray" => "add('docker/docker'); add('etc/motd')",
            "empty" => "pass",
            "no-docker" => "add('docker/runc')",
            _ => "add('docker/docker')",
        };
        await scratch.Sh("python3 - <<'EOF'\nimport tarfile, io\nt = tarfile.open('engine.tgz', 'w:gz')\n"
            + "def add(n):\n    d = open('/bin/true','rb').read(); i = tarfile.TarInfo(n); i.size = len(d); i.mode = 0o755; t.addfile(i, io.BytesIO(d))\n"
            + "def link(n, target):\n    i = tarfile.TarInfo(n); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)\n"
            + "def dev(n):\n    i = tarfile.TarInfo(n); i.type = tarfile.CHRTYPE; i.devmajor = 1; i.devminor = 3; t.addfile(i)\n"
            + script + "\nt.close()\nEOF");
        if (kind == "truncated")
        {
            var bytes = await File.ReadAllBytesAsync(scratch["engine.tgz"], TestContext.Current.CancellationToken);
            await File.WriteAllBytesAsync(scratch["engine.tgz"], bytes[..(bytes.Length / 2)], TestContext.Current.CancellationToken);
        }
        else if (kind == "not-gzip")
        {
            await File.WriteAllTextAsync(scratch["engine.tgz"], "this is not an archive at all", TestContext.Current.CancellationToken);
        }

        var error = Assert.Throws<InvalidEngineTarballException>(() => EngineTarball.Extract(scratch["engine.tgz"], scratch["spool"], Mtime, TestContext.Current.CancellationToken));

        Assert.Equal(scratch["engine.tgz"], error.Input);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }
}
