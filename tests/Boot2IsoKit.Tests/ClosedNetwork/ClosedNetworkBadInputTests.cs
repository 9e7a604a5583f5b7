using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Tests.Stages.Certificates;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.ClosedNetwork;

/// <summary>Through the whole pipeline as build.sh runs it: a bad certificate or daemon setting stops it before building, and no ISO appears.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClosedNetworkBadInputTests : IDisposable
{
    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_key_given_as_a_certificate_stops_the_build_naming_the_file_and_line()
    {
        Requires.Tools("xorriso", "cpio", "xz", "depmod");
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: TestContext.Current.CancellationToken);
        using var key = System.Security.Cryptography.ECDsa.Create();
        var pem = _harness.Path("company-ca.pem");
        await File.WriteAllTextAsync(pem, key.ExportECPrivateKeyPem() + "\n", TestContext.Current.CancellationToken);
        var recipe = _harness.WriteRecipe($"name: bad-ca\nbase:\n  iso: {fixture.IsoPath}\ncertificates:\n  - {pem}\n");

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => _harness.BuildAsync(recipe));

        Assert.Equal((pem, "line 1"), (error.Input, error.Location));
        Assert.Contains("is a private key (EC PRIVATE KEY), not a certificate", error.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("out.iso")));
    }

    [Fact]
    public async Task An_expired_CA_builds_only_with_the_flag()
    {
        Requires.Tools("xorriso", "cpio", "xz", "depmod");
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: TestContext.Current.CancellationToken);
        using var expired = TestCertificates.Authority("B2IK Expired", DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddDays(-1));
        var pem = TestCertificates.Write(_harness.Directory, "expired.pem", TestCertificates.Pem(expired));
        var recipe = _harness.WriteRecipe($"name: expired-ca\nbase:\n  iso: {fixture.IsoPath}\ncertificates:\n  - {pem}\n");

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => _harness.BuildAsync(recipe));
        Assert.Contains("expired on", error.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("out.iso")));

        var paths = await _harness.PlanAsync(recipe, ("allow-expired-certificates", "true"));
        Assert.Contains("usr/local/share/ca-certificates/boot2docker/recipe-expired.crt", paths);
    }

    [Theory]
    [InlineData("daemon:\n  insecure-registry: [10.0.2.2:5000]\n", "line 5, column 3", "unknown daemon key 'insecure-registry'")]
    [InlineData("daemon:\n  labels: team=ops\n", "line 5, column 11", "daemon 'labels' must be a list")]
    public async Task A_bad_daemon_setting_stops_the_build_with_line_and_column(string daemon, string location, string problem)
    {
        var recipe = _harness.WriteRecipe("name: bad-daemon\nbase:\n  iso: /nonexistent/base.iso\n" + daemon);

        var error = await Assert.ThrowsAsync<RecipeException>(() => _harness.BuildAsync(recipe));

        Assert.Equal(location, error.Location);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("out.iso")));
    }

    [Fact]
    public async Task Daemon_settings_without_a_pinned_engine_are_refused_before_building()
    {
        Requires.Tools("xorriso", "cpio", "xz", "depmod");
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: TestContext.Current.CancellationToken);
        var recipe = _harness.WriteRecipe($"name: no-engine\nbase:\n  iso: {fixture.IsoPath}\ndaemon:\n  debug: true\n");

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => _harness.BuildAsync(recipe));

        Assert.Equal("line 5", error.Location);
        Assert.Contains("'daemon:' and 'images:' need a pinned engine with a dockerd", error.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("out.iso")));
    }
}
