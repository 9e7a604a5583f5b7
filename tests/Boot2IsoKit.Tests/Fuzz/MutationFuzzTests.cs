namespace Boot2IsoKit.Tests.Fuzz;

/// <summary>
/// Seeded mutation campaigns over every reader of hostile input: each case ends in a valid result or the
/// reader's typed error, within the harness's time and allocation limits (see <see cref="FuzzHarness"/>).
/// The case counts keep the whole namespace under half a minute on two cores; set B2IK_FUZZ_CASES to run more.
/// </summary>
public sealed class MutationFuzzTests
{
    [Fact]
    public Task Iso_reader() => FuzzHarness.RunCampaignAsync(FuzzTargets.Iso, FuzzSeeds.Iso(), 9660, 10000);

    [Fact]
    public Task Cpio_reader() => FuzzHarness.RunCampaignAsync(FuzzTargets.Cpio, FuzzSeeds.Cpio(), 70701, 10000);

    [Fact]
    public Task Initrd_reader() => FuzzHarness.RunCampaignAsync(FuzzTargets.Initrd, FuzzSeeds.Initrd(), 1, 10000);

    [Fact]
    public Task Elf_reader() => FuzzHarness.RunCampaignAsync(FuzzTargets.Elf, FuzzSeeds.Elf(), 0x7F454C46, 10000);

    [Fact]
    public Task Deb_reader_and_extraction() => FuzzHarness.RunCampaignAsync(FuzzTargets.Deb, FuzzSeeds.Deb(), 2, 3000);

    [Fact]
    public Task Engine_tarball_reader_and_extraction() => FuzzHarness.RunCampaignAsync(FuzzTargets.Engine, FuzzSeeds.Engine(), 1011, 3000);

    [Fact]
    public Task Squashfs_reader() => FuzzHarness.RunCampaignAsync(FuzzTargets.Squashfs, FuzzSeeds.Squashfs(), 0x68737173, 5000);

    [Fact]
    public Task Docker_archive_reader() => FuzzHarness.RunCampaignAsync(FuzzTargets.DockerArchive, FuzzSeeds.DockerArchive(), 0x646F636B, 3000);

    [Fact]
    public Task Recipe_loader() => FuzzHarness.RunCampaignAsync(FuzzTargets.Recipe, FuzzSeeds.Recipe(), 20261128, 10000);
}
