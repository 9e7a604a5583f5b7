using Boot2IsoKit.Stages.Images;
using Boot2IsoKit.Stages.Verification;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Stages.Verification;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.ClosedNetwork;

/// <summary>
/// images: end to end. Two images made in the host's dockerd (static busybox, so they run with nothing else): one
/// given as a <c>docker save</c> archive, one pushed to a real registry (Debian's docker-registry on 127.0.0.1) and
/// pulled by the build. The ISO carries both on its file system (read back with xorriso, not our reader), and booted
/// with the network cut off (QEMU's restrict=on: nothing but the SSH port) as docker-machine boots it and as a hard
/// disk, the daemon has both, they run, and after docker-machine's restart of the daemon an image the user removed
/// does not come back (loaded once).
/// </summary>
[Collection(VerifyBoots.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PreloadedImagesBootTests : IDisposable
{
    private readonly RemasterHarness _harness = new();
    private readonly List<string> _tags = [];

    public void Dispose()
    {
        foreach (var tag in _tags)
        {
            TestImages.RemoveAsync(tag).GetAwaiter().GetResult();
        }

        _harness.Dispose();
    }

    [Fact]
    public async Task Images_from_an_archive_and_a_registry_are_in_the_VM_s_daemon_and_run_with_no_network()
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "cpio", "xz", "depmod", "docker-registry", "docker", "busybox");
        var ct = TestContext.Current.CancellationToken;
        var unique = Guid.NewGuid().ToString("N")[..8];
        var savedTag = $"b2ik-test/saved-{unique}:1";
        _tags.Add(savedTag);
        await TestImages.CreateRunnableAsync(_harness.Directory, savedTag, ct);
        var archive = _harness.Path("saved.tar");
        await TestImages.SaveAsync(savedTag, archive, ct);

        using var registry = await TestRegistry.StartAsync(_harness.Directory, Directory.CreateDirectory(_harness.Path("registry")).FullName, authority: null, ct);
        var pushedName = $"b2ik/pushed-{unique}:1";
        var pushedTag = $"{registry.HostAddress}/{pushedName}";
        _tags.Add(pushedTag);
        await TestImages.CreateRunnableAsync(_harness.Directory, pushedTag, ct);
        await ExternalTool.RunCheckedAsync("docker", ["push", pushedTag], timeout: TimeSpan.FromMinutes(2), cancellationToken: ct);

        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await DebianTestEngine.GetAsync(ct);
        string[] checks =
        [
            $"docker run --rm --network none {savedTag} true",
            $"docker run --rm --network none {pushedTag} cat /image.txt | grep -qx {pushedTag}",
            "ls /var/lib/boot2docker/b2ik-images-*.loaded",
            // The network is really off: the registry the build pulled from is out of reach.
            $"command -v wget && ! wget -q -T 5 -O /dev/null http://{registry.GuestAddress}/v2/",
            // Removed by the user, then docker-machine's restart of the daemon: the marker keeps it from coming back.
            $"docker rmi {savedTag} && sudo /etc/init.d/docker restart && for i in $(seq 60); do docker version >/dev/null 2>&1 && break; sleep 1; done; sleep 10; ! docker image inspect {savedTag} >/dev/null 2>&1",
        ];
        var recipe = _harness.WriteRecipe($"""
            name: preloaded
            base:
              iso: {fixture.IsoPath}
            {engine.RecipeBlock()}
            images:
              - archive: {archive}
              - ref: {pushedTag}
            registries:
              {registry.HostAddress}:
                plain-http: true
            verify:
            {string.Concat(checks.Select(c => "  - '" + c.Replace("'", "''", StringComparison.Ordinal) + "'\n"))}
            """);
        var record = await _harness.BuildAsync(recipe, ("output", _harness.Path("preloaded.iso")));

        // On the ISO's file system, as another reader sees it: both archives and the set's ID.
        var listing = (await ExternalTool.RunCheckedAsync("xorriso", ["-indev", record.Iso, "-find", "/" + BakedImages.MediumDirectory, "-type", "f"], cancellationToken: ct)).StandardOutput;
        Assert.Contains("/b2ik/images/01-", listing, StringComparison.Ordinal);
        Assert.Contains("/b2ik/images/02-", listing, StringComparison.Ordinal);
        Assert.Contains("/b2ik/images/SET", listing, StringComparison.Ordinal);
        // Not in the initrd (which lives in RAM): the rootfs has the loader and its settings, no archive.
        var rootfs = BuiltRootfs.Read(record.Iso);
        Assert.NotNull(rootfs.Find(BakedImages.LoaderPath));
        Assert.DoesNotContain(rootfs.Entries, e => e.Header.FileSize == new FileInfo(archive).Length || e.Path.EndsWith(".tar", StringComparison.Ordinal));

        Assert.Equal(2, record.Verify!.Images.Count);
        Assert.Contains(await TestImages.IdAsync(savedTag, ct), record.Verify.Images);

        var report = await new IsoVerifier(new VerifyOptions { Boots = [VmBootMedium.CdRomWithDataDisk, VmBootMedium.HardDisk], IsolatedNetwork = true }, _ => { }).VerifyAsync(record.Iso, record.Verify!, ct);
        Assert.True(report.Passed, report.ToText());
        Assert.Equal(2, report.Rows.Count(r => r.Check == "preloaded images (2) in the daemon" && r.Passed));
        Assert.Equal(checks.Length, report.Rows.Count(r => r.Check.StartsWith("verify: ", StringComparison.Ordinal) && r.Passed));
    }
}
