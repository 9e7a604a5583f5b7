using System.Formats.Tar;
using System.IO.Compression;
using Boot2IsoKit.Stages.Injection;
using Boot2IsoKit.Stages.Verification;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Verification;

/// <summary>
/// Verify for real: fixture ISOs that keep boot2docker's contract, Debian's dynamically linked docker.io
/// 20.10.24 pinned with its libraries, ipvsadm injected, booted in QEMU as docker-machine does. Each
/// dockerd boot costs about a minute of TCG: the negative checks share boots where they can.
/// </summary>
[Collection(VerifyBoots.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VerifyBootTests : IDisposable
{
    private const string Banner = "\n  WARNING: Verify test build, engine pinned by Boot2IsoKit.\n\n";
    private const string IpvsCheck = "sudo ipvsadm -A -t 10.1.2.3:80 -s rr && sudo ipvsadm -Ln";

    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(FixtureLayout.New)]
    [InlineData(FixtureLayout.Old)]
    public async Task A_native_build_with_the_Debian_engine_passes_every_row(FixtureLayout layout)
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "cpio", "xz", "depmod");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(layout, ct: ct);
        var engine = await DebianTestEngine.GetAsync(ct);
        var recipe = _harness.WriteRecipe(Recipe(fixture, engine.TgzPath, engine.Version));

        var record = await _harness.BuildAsync(recipe);

        var facts = Assert.IsType<VerificationFacts>(record.Verify);
        Assert.Equal(["/sbin/ipvsadm"], facts.InjectedBinaries);
        Assert.Equal([IpvsCheck], facts.Commands);
        // The old layout is checked on the CD boot only: the hard-disk boot is the same init, tested on the new layout.
        var boots = layout == FixtureLayout.New ? new[] { VmBootMedium.CdRomWithDataDisk, VmBootMedium.HardDisk } : [VmBootMedium.CdRomWithDataDisk];
        var report = await Verifier(boots).VerifyAsync(record.Iso, facts, ct);

        Assert.True(report.Passed, report.ToText());
        var daemon = report.Rows.Where(r => r.Check == "docker daemon (server version)").ToList();
        Assert.Equal(boots.Length, daemon.Count);
        Assert.All(daemon, r => Assert.StartsWith("server 20.10.24+dfsg1 = pinned 20.10.24, started by the ISO's init", r.Detail, StringComparison.Ordinal));
        Assert.Contains(report.Rows, r => r.Check == "data disk formatted, /var/lib/boot2docker on it" && r.Passed && r.Detail.StartsWith("/var/lib/boot2docker is on /dev/sda1 (ext4); LABEL=boot2docker-data is /dev/sda1", StringComparison.Ordinal));
        Assert.Contains(report.Rows, r => r.Check == $"verify: {IpvsCheck}" && r.Detail.Contains("10.1.2.3:80 rr", StringComparison.Ordinal));
        // As the docker user ipvsadm gets to main and refuses to run without root: it started, every library was found.
        Assert.Contains(report.Rows, r => r.Check == "injected /sbin/ipvsadm starts" && r.Detail.Contains("you must be root", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dead_daemon_a_binary_without_its_library_and_a_changed_banner_each_fail_their_row()
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "cpio", "xz", "depmod");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var debianEngine = await DebianTestEngine.GetAsync(ct);
        // The real engine, except a dockerd that exits at once (as a daemon with a broken config does).
        var engine = await WithDeadDockerdAsync(debianEngine.TgzPath, _harness.Path("docker-20.10.24.tgz"), ct);
        // ipvsadm copied in by an overlay, without the libnl and popt libraries it loads: what a hand-made remaster does.
        var overlay = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        var recipe = _harness.WriteRecipe(Recipe(fixture, engine, debianEngine.Version, packages: false) + "overlays:\n  - {overlay}\n", overlay);
        var bare = Path.Combine(_harness.Directory, "overlay", "usr", "local", "sbin", "ipvsadm-bare");
        Directory.CreateDirectory(Path.GetDirectoryName(bare)!);
        File.Copy(Requires.Tool("ipvsadm"), bare);

        var record = await _harness.BuildAsync(recipe);
        var facts = record.Verify! with
        {
            MotdBanner = "\n  WARNING: a banner this build never wrote.\n",
            InjectedBinaries = ["/usr/local/sbin/ipvsadm-bare"],
        };
        var report = await new IsoVerifier(new VerifyOptions { Boots = [VmBootMedium.CdRomWithDataDisk], DaemonTimeout = TimeSpan.FromSeconds(40) }, _ => { })
            .VerifyAsync(record.Iso, facts, ct);

        Assert.False(report.Passed);
        Assert.Equal(
            ["docker daemon (server version)", "motd banner", "injected /usr/local/sbin/ipvsadm-bare starts"],
            report.Failed.Select(r => r.Check));
        Assert.Contains(report.Rows, r => r.Check == "ssh login (userdata key)" && r.Passed);
        Assert.Contains(report.Rows, r => r.Check == "data disk formatted, /var/lib/boot2docker on it" && r.Passed);
        Assert.Contains("error while loading shared libraries: lib", report.Failed.Single(r => r.Check.StartsWith("injected", StringComparison.Ordinal)).Detail, StringComparison.Ordinal);
        Assert.Contains("no daemon answered", report.Failed.First().Detail, StringComparison.Ordinal);
        var error = new VerificationFailedException(report);
        Assert.StartsWith("Verify failed: cd+disk: docker daemon (server version); cd+disk: motd banner;", error.Message, StringComparison.Ordinal);
        Assert.Contains("--- serial console of the cd+disk boot", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ISO_that_never_takes_the_userdata_key_fails_the_login_row()
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "cpio", "xz", "depmod");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await DebianTestEngine.GetAsync(ct);
        // A remaster whose autoformat lost the userdata step: the disk is formatted and mounted, the key is never unpacked.
        var autoformat = FixtureBootScripts.Text("autoformat").Replace("tar -xf /var/lib/boot2docker/userdata.tar -C /home/docker", ": skipped", StringComparison.Ordinal);
        var recipe = _harness.WriteRecipe(
            Recipe(fixture, engine.TgzPath, engine.Version, packages: false) + "overlays:\n  - {overlay}\n",
            new Dictionary<string, (string, int)>(StringComparer.Ordinal) { ["etc/init.d/autoformat"] = (autoformat, 0x1ED) });

        var record = await _harness.BuildAsync(recipe);
        var report = await Verifier([VmBootMedium.CdRomWithDataDisk]).VerifyAsync(record.Iso, record.Verify!, ct);

        var failed = Assert.Single(report.Failed);
        Assert.Equal("ssh login (userdata key)", failed.Check);
        Assert.Contains("refused", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("never took the key from the userdata disk", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dynamically_linked_engine_without_its_library_packages_is_refused_before_building()
    {
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await DebianTestEngine.GetAsync(ct);
        var recipe = _harness.WriteRecipe(Recipe(fixture, engine.TgzPath, engine.Version, packages: false, libraries: false));

        var error = await Assert.ThrowsAsync<LibraryResolutionException>(() => _harness.BuildAsync(recipe));

        Assert.Contains("needed by /usr/local/bin/", error.Message, StringComparison.Ordinal);
        Assert.Contains("engine.libraries", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("out.iso")));
    }

    private static IsoVerifier Verifier(IReadOnlyList<VmBootMedium> boots) =>
        new(new VerifyOptions { Boots = boots }, message => TestContext.Current.SendDiagnosticMessage(message));

    private static string Recipe(FixtureIso fixture, string engineTgz, string version, bool packages = true, bool libraries = true) =>
        $"""
        name: verify-test
        base:
          iso: {fixture.IsoPath}
        {DebianTestEngine.RecipeBlock(engineTgz, version, libraries)}
        motd: "{Banner.Replace("\n", "\\n", StringComparison.Ordinal)}"
        {(packages ? $"packages:\n  - deb: ipvsadm\n    suite: bookworm\n    binaries: [/sbin/ipvsadm]\nverify:\n  - {IpvsCheck}\n" : "")}
        """;

    /// <summary>The engine tgz with docker/dockerd replaced by a script that exits at once.</summary>
    private static async Task<string> WithDeadDockerdAsync(string source, string target, CancellationToken ct)
    {
        await using (var input = File.OpenRead(source))
        await using (var gunzip = new GZipStream(input, CompressionMode.Decompress))
        await using (var reader = new TarReader(gunzip))
        await using (var output = File.Create(target))
        await using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        await using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            while (await reader.GetNextEntryAsync(copyData: true, ct) is { } entry)
            {
                if (entry.Name == "docker/dockerd")
                {
                    var script = new MemoryStream("#!/bin/sh\necho 'dockerd: refusing to start (Verify test)' >&2\nexit 1\n"u8.ToArray());
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entry.Name) { Mode = (UnixFileMode)0x1ED, DataStream = script }, ct);
                }
                else
                {
                    await writer.WriteEntryAsync(entry, ct);
                }
            }
        }

        return target;
    }
}

/// <summary>Verify boots run one at a time: each takes most of a CI core for a minute.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VerifyBoots
{
    public const string Name = "Verify boots";
}
