using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Pipeline;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Planning;

/// <summary>
/// A host with no apt configuration (not Debian or Ubuntu): the error for a package that needs a mirror
/// says what to set, and a recipe whose package names local .deb files (<c>from:</c>) builds with no mirror at all.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalDebTests : IDisposable
{
    // ipvsadm and what it depends on, transitively (Debian's own dependency closure, as apt-get download fetches it).
    private static readonly string[] IpvsadmClosure = ["ipvsadm", "libnl-3-200", "libnl-genl-3-200", "libpopt0", "libc6", "libgcc-s1", "gcc-12-base", "lsb-base", "sysvinit-utils"];

    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-localdeb-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Without_a_mirror_the_error_says_what_to_set_and_that_local_debs_work()
    {
        SkipIfTheEnvironmentNamesAMirror();
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var recipe = WriteRecipe($"""
            name: no-mirror
            base:
              iso: {fixture.IsoPath}
            packages:
              - deb: ipvsadm
                suite: bookworm
            """);

        var error = await Assert.ThrowsAsync<DebianMirrorNotConfiguredException>(() => BuildAsync(recipe, ct));

        Assert.Equal("ipvsadm", error.Package);
        Assert.Contains("debian:", error.Message, StringComparison.Ordinal);
        Assert.Contains("mirror: http://", error.Message, StringComparison.Ordinal);
        Assert.Contains(DebianMirror.EnvironmentVariable + "=", error.Message, StringComparison.Ordinal);
        Assert.Contains("from: path/to/ipvsadm.deb", error.Message, StringComparison.Ordinal);
        Assert.Contains("recipe.yml: line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_from_local_debs_builds_with_no_mirror_configured()
    {
        SkipIfTheEnvironmentNamesAMirror();
        Requires.Tools("apt-get");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var debs = Directory.CreateDirectory(Path.Combine(_directory, "debs")).FullName;
        await ExternalTool.RunCheckedAsync("apt-get", ["download", .. IpvsadmClosure], debs, TimeSpan.FromMinutes(10), ct);
        var recipe = WriteRecipe($"""
            name: local-debs
            base:
              iso: {fixture.IsoPath}
            packages:
              - deb: ipvsadm
                from: {debs}
                binaries: [/usr/sbin/ipvsadm]
                mode: auto
            """);

        var record = await BuildAsync(recipe, ct);

        using var built = BaseIso.Open(record.Iso);
        Assert.True(built.Contents.Exists("usr/sbin/ipvsadm") || built.Contents.Exists("sbin/ipvsadm"), "ipvsadm is not in the built initrd");
        Assert.False(Directory.Exists(Path.Combine(_directory, "cache", "debian", "debs")), "a .deb was downloaded although the recipe named local files");
    }

    private static void SkipIfTheEnvironmentNamesAMirror()
    {
        if (Environment.GetEnvironmentVariable(DebianMirror.EnvironmentVariable) is { Length: > 0 })
        {
            Assert.Skip($"{DebianMirror.EnvironmentVariable} is set: this test needs a host with no mirror configured");
        }
    }

    private string WriteRecipe(string yaml)
    {
        var path = Path.Combine(_directory, "recipe.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>The real pipeline, with apt's configuration read from an empty root: a host that is not Debian or Ubuntu.</summary>
    private async Task<BuildRecord> BuildAsync(string recipe, CancellationToken ct)
    {
        var emptyRoot = Directory.CreateDirectory(Path.Combine(_directory, "no-apt")).FullName;
        var arguments = new Dictionary<string, string>
        {
            ["recipe"] = recipe,
            ["output"] = Path.Combine(_directory, "out.iso"),
            ["cache-dir"] = Path.Combine(_directory, "cache"),
        };
        var context = new PipelineContext(RepositoryRoot.Find(), _directory, PipelineArguments.Read(arguments), PipelineLog.Silent) { AptRoot = emptyRoot };
        using var pipeline = new IsoPipeline(context);
        return await pipeline.BuildAsync(cancellationToken: ct);
    }
}
