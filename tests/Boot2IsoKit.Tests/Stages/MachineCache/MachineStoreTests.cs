using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Tests.Stages.MachineCache;

public sealed class MachineStoreTests
{
    private static Func<string, string?> Env(string? storagePath) =>
        name => name == "MACHINE_STORAGE_PATH" ? storagePath : null;

    [Fact]
    public void The_argument_wins_over_the_environment_and_home()
    {
        var store = MachineStore.Resolve("/tmp/arg-store/", Env("/tmp/env-store"), "/home/me");

        Assert.Equal("/tmp/arg-store", store.Root);
        Assert.Equal(StoreSource.Argument, store.Source);
        Assert.False(store.IsDefault);
        Assert.Equal("/tmp/arg-store/cache/boot2docker.iso", store.CachedIsoPath);
    }

    [Fact]
    public void The_environment_wins_over_home()
    {
        var store = MachineStore.Resolve(null, Env("/tmp/env-store"), "/home/me");

        Assert.Equal(("/tmp/env-store", StoreSource.Environment), (store.Root, store.Source));
    }

    [Fact]
    public void Without_either_the_store_is_under_home()
    {
        var store = MachineStore.Resolve("", Env(""), "/home/me");

        Assert.Equal(("/home/me/.docker/machine", StoreSource.Home, true), (store.Root, store.Source, store.IsDefault));
    }

    [Fact]
    public void An_environment_path_equal_to_the_default_counts_as_default() =>
        Assert.True(MachineStore.Resolve(null, Env("/home/me/.docker/machine/"), "/home/me").IsDefault);

    [Theory]
    [InlineData("../evil")]
    [InlineData("a/b")]
    [InlineData("-x")]
    public void Machine_names_docker_machine_would_refuse_are_refused(string name) =>
        Assert.Throws<Boot2IsoKit.Plumbing.Errors.InvalidInputException>(() => MachineStore.Resolve("/s", Env(null), "/h").MachineDirectory(name));
}
