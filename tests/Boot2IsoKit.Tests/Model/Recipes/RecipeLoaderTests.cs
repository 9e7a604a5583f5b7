using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Tests.Model.Recipes;

public class RecipeLoaderTests
{
    private static string RepoFile(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Boot2IsoKit.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory!.FullName, relative);
    }

    [Fact]
    public void The_experimental_recipe_loads_with_its_engine_packages_and_banner()
    {
        var recipe = RecipeLoader.LoadFile(RepoFile("recipes/experimental.yml"));

        Assert.Equal("experimental", recipe.Name);
        Assert.Equal("v19.03.12", recipe.Base.Release);
        Assert.Equal("20.10.24", recipe.Engine!.Version);
        Assert.Contains("WARNING", recipe.Motd, StringComparison.Ordinal);
        var ipvsadm = Assert.Single(recipe.Packages);
        Assert.Equal("ipvsadm", ipvsadm.Deb);
        Assert.Equal(["/sbin/ipvsadm"], ipvsadm.Binaries);
        Assert.Equal(InitrdOverlayMode.Append, recipe.Initrd);
        // Experimental features through daemon:, never an /etc/docker overlay (it would switch boot2docker's persistence off).
        Assert.Empty(recipe.Overlays);
        var experimental = Assert.Single(recipe.Daemon);
        Assert.Equal(("experimental", true), (experimental.Key, experimental.Value.GetValue<bool>()));
    }

    [Theory]
    [InlineData("name: x\nbase:\n  release: v19.03.12\n  relase: typo\n", 4, "unknown key 'relase'")]
    [InlineData("name: x\nbase:\n  release: 19.03.12\n", 3, "is not a boot2docker tag")]
    [InlineData("name: x\nbase: {release: v19.03.12}\nengine:\n  version: latest\n", 4, "engine version 'latest'")]
    // Forms the loader's own patterns let through and the version owners refuse: loading passed, the build failed later.
    [InlineData("name: x\nbase: {release: v19.03.12}\nengine:\n  version: 20.10.24-foo\n", 4, "engine version '20.10.24-foo' is not like")]
    [InlineData("name: x\nbase: {release: v19.03.12}\nengine:\n  version: 1.12.0-rc\n", 4, "engine version '1.12.0-rc' is not like")]
    [InlineData("name: x\nbase:\n  release: v19.03.99999999999\n", 3, "is not a boot2docker tag")]
    [InlineData("name: x\nbase:\n  release: \" v19.03.12\"\n", 3, "is not a boot2docker tag")]
    [InlineData("name: x\nbase: {release: v19.03.12}\nvolume-id: b2d-v19.03.12-experimental-build-x\n", 3, "1 to 32 printable ASCII")]
    [InlineData("name: x\nbase: {release: v19.03.12}\ninitrd: squash\n", 3, "'squash' is not one of: append, merge")]
    [InlineData("name: x\nbase: {release: v19.03.12}\ninitrd: merge\ninitrd-compression: bzip2\n", 4, "'bzip2' is not one of: xz, lzma")]
    [InlineData("name: x\nbase: {release: v19.03.12}\npackages:\n  - deb: ipvsadm\n    host: /usr/sbin/ipvsadm\n", 4, "exactly one of")]
    [InlineData("name: x\nbase: {release: v19.03.12}\npackages:\n  - deb: ipvsadm\n    binaries: [sbin/ipvsadm]\n", 5, "must be an absolute path")]
    [InlineData("name: X Y\nbase: {release: v19.03.12}\n", 1, "must be lower-case")]
    [InlineData("name: x\nbase: {release: v19.03.12}\nengine:\n  version: 19.03.12\n  sources:\n    stabel: https://engines.example.invalid/\n", 6, "unknown key 'stabel'")]
    [InlineData("name: x\nbase: [v19.03.12\n", 3, "not valid YAML")]
    [InlineData("name: x\n", 1, "'base:' is missing")]
    [InlineData("name: x\nbase: {release: v19.03.12}\nextensions:\n  - ipvsadm\n  - ..tcz\n", 5, "is not an extension name")]
    [InlineData("name: x\nbase: {release: v19.03.12}\nextensions:\n  - tools/local.squashfs\n", 4, "must be a .tcz file")]
    [InlineData("name: x\nbase: {release: v19.03.12}\ntinycore:\n  release: ten\n", 4, "must be a major version")]
    [InlineData("name: x\nbase: {release: v19.03.12}\ntinycore:\n  mirror: tinycorelinux.net\n", 4, "must be an http, https or file URL")]
    public void Bad_recipes_name_the_line_and_the_problem(string yaml, int line, string problem)
    {
        var error = Assert.Throws<RecipeException>(() => RecipeLoader.Load(yaml, "bad.yml"));

        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad.yml: line ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v19.03.12", "20.10.24")]
    [InlineData("v1.12.0-rc4", "1.12.0-rc4")]
    [InlineData("v17.03.0-ce", "17.03.0-ce")]
    [InlineData("v18.09.1", "18.09.1-beta1")]
    [InlineData("v20.10.8-xfs", "0.0.0-20190625103807-bc76fbb")]
    [InlineData("v18.06", "18.06.0-ce")]
    [InlineData("v20.10.8_xfs", "20.10.8")]
    public void Releases_and_engine_versions_load_as_their_owners_read_them(string release, string engine)
    {
        var recipe = RecipeLoader.Load($"name: x\nbase: {{release: {release}}}\nengine: {{version: {engine}}}\n", "v.yml");

        Assert.Equal((release, engine), (recipe.Base.Release, recipe.Engine!.Version));
    }

    [Theory]
    [InlineData("v20.10.24")]
    [InlineData("\" 20.10.24\"")]
    public void An_engine_version_is_spelled_as_download_sites_spell_it(string engine)
    {
        var error = Assert.Throws<RecipeException>(() => RecipeLoader.Load($"name: x\nbase: {{release: v19.03.12}}\nengine: {{version: {engine}}}\n", "v.yml"));

        Assert.Contains("is not like 19.03.12", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extensions_and_the_tiny_core_mirror_are_read()
    {
        var recipe = RecipeLoader.Load("name: x\nbase: {release: v19.03.12}\nextensions: [ipvsadm, libnl.tcz, overlays/local.tcz]\ntinycore: {mirror: http://mirror.test/tc/, release: 10.x}\n", "t.yml");

        Assert.Equal(["ipvsadm.tcz", "libnl.tcz", "overlays/local.tcz"], recipe.Extensions);
        Assert.Equal(("http://mirror.test/tc/", (int?)10), (recipe.TinyCoreMirror, recipe.TinyCoreRelease));
    }

    [Fact]
    public void Engine_sources_are_read_by_channel_key()
    {
        var recipe = RecipeLoader.Load("name: x\nbase: {release: v19.03.12}\nengine:\n  version: 19.03.12\n  sources:\n    base: https://engines.example.invalid/linux/static/{channel}/x86_64/\n", "s.yml");

        Assert.Equal("https://engines.example.invalid/linux/static/{channel}/x86_64/", recipe.Engine!.Sources["base"]);
    }

    [Fact]
    public void Defaults_fill_what_a_short_recipe_leaves_out()
    {
        var recipe = RecipeLoader.Load("name: mini\nbase:\n  iso: base.iso\n", "mini.yml");

        Assert.Equal("base.iso", recipe.Base.Iso);
        Assert.Equal(RecipeLoader.DefaultRepository, recipe.Base.Repository);
        Assert.Null(recipe.Engine);
        Assert.Equal(LabelStrategy.Truthful, recipe.Label);
        Assert.Empty(recipe.Packages);
    }
}
