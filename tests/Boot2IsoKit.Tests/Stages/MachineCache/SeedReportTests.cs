using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Tests.Stages.MachineCache;

public sealed class SeedReportTests
{
    private static MachineStore Store(string? argument, string home) => MachineStore.Resolve(argument, _ => null, home);

    [Theory]
    [InlineData("v19.03.12", CacheBehaviour.KeptOnlineAndOffline)]
    [InlineData("v20.10.24", CacheBehaviour.KeptOfflineReplacedOnline)]
    [InlineData(null, CacheBehaviour.Refused)]
    public void The_behaviour_follows_docker_machines_comparison_with_the_upstream_tag(string? version, CacheBehaviour expected)
    {
        var (behaviour, explanation) = SeedReport.Explain(version);

        Assert.Equal(expected, behaviour);
        if (expected == CacheBehaviour.KeptOfflineReplacedOnline)
        {
            Assert.Contains("REPLACES", explanation, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void On_Linux_the_commands_use_a_file_url_and_the_default_store_needs_no_flag()
    {
        var store = Store(null, "/home/me");

        var report = SeedReport.Create("v20.10.24", store, store.CachedIsoPath, HostPlatform.Linux);

        Assert.Equal("file:///home/me/.docker/machine/cache/boot2docker.iso", report.IsoLocation);
        Assert.Equal(["virtualbox", "vmwarevsphere"], report.Commands.Select(c => c.Driver));
        var virtualbox = report.Commands[0];
        Assert.Equal("docker-machine create -d virtualbox --virtualbox-boot2docker-url file:///home/me/.docker/machine/cache/boot2docker.iso default", virtualbox.Command);
        Assert.Equal("VIRTUALBOX_BOOT2DOCKER_URL=file:///home/me/.docker/machine/cache/boot2docker.iso docker-machine create -d virtualbox default", virtualbox.EnvironmentCommand);
        Assert.Equal("VSPHERE_BOOT2DOCKER_URL", report.Commands[1].EnvironmentVariable);
        Assert.Equal("docker-machine create -d virtualbox default", report.DefaultCreateCommand);
    }

    [Fact]
    public void A_non_default_store_goes_before_create_as_the_global_flag_and_odd_characters_are_escaped()
    {
        var store = Store("/srv/my store#1", "/home/me");

        var report = SeedReport.Create("v19.03.12", store, store.CachedIsoPath, HostPlatform.MacOS, "dev");

        Assert.Equal(["virtualbox", "vmwarefusion", "vmwarevsphere"], report.Commands.Select(c => c.Driver));
        var fusion = report.Commands[1];
        Assert.Equal("docker-machine -s '/srv/my store#1' create -d vmwarefusion --vmwarefusion-boot2docker-url file:///srv/my%20store%231/cache/boot2docker.iso dev", fusion.Command);
        Assert.Equal("FUSION_BOOT2DOCKER_URL", fusion.EnvironmentVariable);
        Assert.Equal("docker-machine -s '/srv/my store#1' create -d virtualbox dev", report.DefaultCreateCommand);
        Assert.Contains(report.Notes, n => n.Contains("global flag", StringComparison.Ordinal));
    }

    [Fact]
    public void On_Windows_the_path_is_written_without_its_drive_with_a_note_about_the_working_directory()
    {
        var store = Store("/unused", "/home/me");

        var report = SeedReport.Create("v20.10.24", store with { IsDefault = true }, @"C:\Users\me\.docker\machine\cache\boot2docker.iso", HostPlatform.Windows);

        Assert.Equal("/Users/me/.docker/machine/cache/boot2docker.iso", report.IsoLocation);
        Assert.Equal(["virtualbox", "hyperv", "vmwarevsphere"], report.Commands.Select(c => c.Driver));
        var hyperv = report.Commands[1];
        Assert.Equal("docker-machine create -d hyperv --hyperv-boot2docker-url /Users/me/.docker/machine/cache/boot2docker.iso default", hyperv.Command);
        Assert.Equal("$env:HYPERV_BOOT2DOCKER_URL = '/Users/me/.docker/machine/cache/boot2docker.iso'; docker-machine create -d hyperv default", hyperv.EnvironmentCommand);
        Assert.Contains(report.Notes, n => n.Contains("drive C:", StringComparison.Ordinal) && n.Contains("file:///C:/", StringComparison.Ordinal));
        Assert.DoesNotContain("file:", report.Commands[0].Command, StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_contains_the_explanation_and_every_command()
    {
        var store = Store(null, "/home/me");
        var report = SeedReport.Create("v20.10.24", store, store.CachedIsoPath, HostPlatform.Linux);

        var text = report.ToText();

        Assert.Contains(report.Explanation, text, StringComparison.Ordinal);
        Assert.All(report.Commands, c => Assert.Contains(c.Command, text, StringComparison.Ordinal));
    }
}
