using System.Text;
using Boot2IsoKit.Stages.MachineCache;
using Boot2IsoKit.Testing.MachineCache;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.MachineCache;

public sealed class IsoFactsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-isofacts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<string> Iso(string label, bool elTorito = true, string? osRelease = "ID=boot2docker\n") =>
        SmallIso.BuildAsync(_directory, Guid.NewGuid().ToString("N"), label, elTorito, osRelease, 4096, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("b2d-v19.03.12", "v19.03.12")]
    [InlineData("b2d-v1.12.0-rc4-experimental", "v1.12.0-rc4-experimental")]
    public async Task The_label_and_version_are_read_like_docker_machine(string label, string version)
    {
        Requires.Tools("xorriso", "isoinfo");
        var iso = await Iso(label);

        var facts = IsoFacts.Read(iso);

        Assert.Equal(version, facts.ParsedVersion);
        Assert.Equal(label, facts.VolumeId);
        // isoinfo, an independent reader, sees the same label.
        var info = await ExternalTool.RunCheckedAsync("isoinfo", ["-d", "-i", iso], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains($"Volume id: {label}\n", info.StandardOutput, StringComparison.Ordinal);
        Assert.Null(facts.BootProblem);
        Assert.Empty(facts.Problems);
    }

    [Fact]
    public async Task A_label_without_the_prefix_is_refused_with_docker_machines_error_unless_forced()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("Boot2Docker");

        var facts = IsoFacts.Read(iso);

        Assert.Null(facts.ParsedVersion);
        Assert.Equal("Did not find prefix \"-v\" in version string", facts.VersionError);
        var error = Assert.Throws<IsoNotSeedableException>(() => facts.EnsureSeedable(force: false));
        Assert.Contains("Did not find prefix \"-v\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(iso, error.Input);
        Assert.Same(facts, facts.EnsureSeedable(force: true));
    }

    [Fact]
    public async Task A_NUL_padded_label_parses_but_keeps_the_NULs()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v19.03.12");
        var field = new byte[32];
        Encoding.ASCII.GetBytes("b2d-v19.03.12").CopyTo(field, 0);
        SmallIso.PatchVolumeId(iso, field);

        var facts = IsoFacts.Read(iso);

        Assert.Equal("v19.03.12" + new string('\0', 19), facts.ParsedVersion);
        Assert.Equal(CacheBehaviour.KeptOfflineReplacedOnline, SeedReport.Explain(facts.ParsedVersion).Item1);
        Assert.Contains("\\0", SeedReport.Explain(facts.ParsedVersion).Item2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ISO_without_El_Torito_is_not_bootable()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v19.03.12", elTorito: false);

        var facts = IsoFacts.Read(iso);

        Assert.Equal("v19.03.12", facts.ParsedVersion);
        Assert.Contains("sector 17", facts.BootProblem, StringComparison.Ordinal);
        Assert.Single(facts.Problems);
    }

    [Fact]
    public async Task A_default_entry_that_is_not_bootable_is_found()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v19.03.12");
        uint catalogLba;
        using (var stream = new FileStream(iso, FileMode.Open, FileAccess.ReadWrite))
        {
            var record = new byte[4];
            stream.Position = 17 * 2048 + 0x47;
            stream.ReadExactly(record);
            catalogLba = BitConverter.ToUInt32(record);
            stream.Position = catalogLba * 2048 + 32;
            stream.WriteByte(0x00);
        }

        Assert.Contains("not marked bootable", IsoFacts.Read(iso).BootProblem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_an_ISO_fails_every_check()
    {
        var path = Path.Combine(_directory, "tiny.iso");
        File.WriteAllBytes(path, new byte[100]);

        var facts = IsoFacts.Read(path);

        Assert.Equal("EOF", facts.VersionError);
        Assert.False(facts.HasPrimaryVolumeDescriptor);
        Assert.Equal(3, facts.Problems.Count);
    }

    [Theory]
    [InlineData("NAME=Boot2Docker\nID=boot2docker\nVERSION=20.10.24\n", OsReleaseCheck.Boot2Docker, "boot2docker")]
    [InlineData("ID=\"boot2docker\"\n", OsReleaseCheck.Boot2Docker, "boot2docker")]
    [InlineData("ID=debian\n", OsReleaseCheck.Failed, "debian")]
    [InlineData(null, OsReleaseCheck.Failed, null)]
    public async Task The_os_release_id_is_checked_through_the_probe(string? osRelease, OsReleaseCheck expected, string? id)
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v19.03.12", osRelease: osRelease);

        var facts = IsoFacts.Read(iso, new XorrisoOsReleaseProbe());

        Assert.Equal((expected, id), (facts.OsRelease, facts.OsReleaseId));
        Assert.Equal(expected == OsReleaseCheck.Failed, facts.Problems.Any(p => p.Contains("os-release", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Without_a_probe_os_release_is_reported_as_not_checked()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v19.03.12", osRelease: "ID=debian\n");

        Assert.Equal(OsReleaseCheck.NotChecked, IsoFacts.Read(iso).OsRelease);
    }
}
