using Boot2IsoKit.Stages.Pipeline;
using Boot2IsoKit.Stages.Verification;

namespace Boot2IsoKit.Tests.Stages.Pipeline;

/// <summary>The record file beside an ISO carries what a later Verify run (another process) must check.</summary>
public sealed class BuildRecordTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-record-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_verify_facts_survive_the_record_file()
    {
        var iso = Path.Combine(_directory, "out.iso");
        var facts = new VerificationFacts
        {
            EngineVersion = "20.10.24",
            StampedVersion = "20.10.24",
            MotdBanner = "\n  WARNING: experimental\n",
            InjectedBinaries = ["/sbin/ipvsadm"],
            Commands = ["sudo ipvsadm -Ln"],
        };
        new BuildRecord { Iso = iso, Sha256 = "00", Label = "b2d-v20.10.24", Recipe = "experimental", Builder = "native", Verify = facts }.Save(_directory);

        var read = BuildRecord.ForIso(iso)?.Verify;

        Assert.NotNull(read);
        Assert.Equal((facts.EngineVersion, facts.StampedVersion, facts.MotdBanner), (read.EngineVersion, read.StampedVersion, read.MotdBanner));
        Assert.Equal(facts.InjectedBinaries, read.InjectedBinaries);
        Assert.Equal(facts.Commands, read.Commands);
        Assert.Equal("native", BuildRecord.LastBuild(_directory)?.Builder);
    }
}
