using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Qemu;

namespace Boot2IsoKit.Tests.Fixtures;

/// <summary>Both fixture layouts boot in QEMU from CD-ROM and (isohybrid MBR) from hard disk and report what is inside.</summary>
public class FixtureBootTests
{
    [Theory]
    [InlineData(FixtureLayout.New, BootMedium.CdRom)]
    [InlineData(FixtureLayout.New, BootMedium.HardDisk)]
    [InlineData(FixtureLayout.Old, BootMedium.CdRom)]
    [InlineData(FixtureLayout.Old, BootMedium.HardDisk)]
    public async Task The_fixture_boots_and_prints_its_markers(FixtureLayout layout, BootMedium medium)
    {
        FixtureTools.RequireBoot();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(layout, ct: ct);

        var boot = await QemuBoot.RunAsync(fixture.IsoPath, medium, FixtureTools.BootTimeout, ct);

        Assert.True(boot.ReachedDone, $"{layout} fixture did not reach {FixtureMarkers.Done} booting as {medium}.\n{boot.Excerpt()}");
        Assert.False(boot.TimedOut, boot.Excerpt());
        Assert.Contains(FixtureMarkers.Booted, boot.Console, StringComparison.Ordinal);

        // What the VM printed is what the rootfs holds.
        var motd = await File.ReadAllTextAsync(Path.Combine(fixture.RootfsDirectory, "etc", "motd"), ct);
        Assert.Equal(motd.TrimEnd('\n'), boot.Section(FixtureMarkers.Motd));
        Assert.Equal(0, boot.SectionExitCode(FixtureMarkers.Motd));

        var osRelease = boot.Section(FixtureMarkers.OsRelease).Split('\n');
        Assert.Contains("ID=boot2docker", osRelease);
        Assert.Contains("NAME=Boot2Docker", osRelease);
        Assert.Contains($"VERSION={fixture.EngineVersion}", osRelease);

        Assert.StartsWith($"Docker version {fixture.EngineVersion}, build ", boot.Section(FixtureMarkers.DockerVersion), StringComparison.Ordinal);
        Assert.Equal(0, boot.SectionExitCode(FixtureMarkers.DockerVersion));

        var kernelRelease = Path.GetFileName(Assert.Single(Directory.GetDirectories(Path.Combine(fixture.RootfsDirectory, "lib", "modules"))));
        Assert.Equal(kernelRelease, boot.Section(FixtureMarkers.Uname));

        // The rootfs glibc runs on the fixture kernel.
        Assert.Contains($"release version {fixture.GlibcVersion}.", boot.Section(FixtureMarkers.Glibc), StringComparison.Ordinal);
        Assert.Equal(0, boot.SectionExitCode(FixtureMarkers.Glibc));
    }

    [Fact]
    public async Task A_tiny_core_shaped_fixture_has_glibc_2_31_only_in_lib_and_boots()
    {
        FixtureTools.RequireBoot();
        var ct = TestContext.Current.CancellationToken;
        var options = new FixtureOptions { GlibcSuite = "bullseye", Lib64Link = false };

        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, options, ct);

        Assert.Equal("2.31", fixture.GlibcVersion);
        Assert.False(Path.Exists(Path.Combine(fixture.RootfsDirectory, "lib64")), "a Tiny Core rootfs has no /lib64");
        var loader = new FileInfo(Path.Combine(fixture.RootfsDirectory, "lib", "ld-linux-x86-64.so.2"));
        Assert.True(loader.Exists, "the loader must be at /lib/ld-linux-x86-64.so.2");
        // bullseye's glibc still ships versioned files behind the soname links.
        Assert.Equal("libc-2.31.so", new FileInfo(Path.Combine(fixture.RootfsDirectory, "lib", "libc.so.6")).LinkTarget);

        var boot = await QemuBoot.RunAsync(fixture.IsoPath, BootMedium.CdRom, FixtureTools.BootTimeout, ct);

        Assert.True(boot.ReachedDone, boot.Excerpt());
        Assert.Contains("release version 2.31.", boot.Section(FixtureMarkers.Glibc), StringComparison.Ordinal);
        Assert.Contains("ID=boot2docker", boot.Section(FixtureMarkers.OsRelease).Split('\n'));
    }
}
