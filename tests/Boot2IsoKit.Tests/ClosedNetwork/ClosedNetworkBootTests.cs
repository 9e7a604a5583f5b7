using Boot2IsoKit.Stages.Verification;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Tests.Stages.Remaster;
using Boot2IsoKit.Tests.Stages.Verification;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.ClosedNetwork;

/// <summary>
/// certificates: and daemon: in a booted VM, against two real registries on this machine (Debian's docker-registry,
/// one TLS with a CA made here, one plain HTTP, serving the same pushed image): the baked CA is what lets
/// <c>docker pull</c> through (the same ISO without it fails with an x509 error), insecure-registries opens the plain
/// one, and after docker-machine's provisioning (its profile, a user daemon.json, <c>/etc/init.d/docker restart</c>)
/// the daemon comes back with the baked settings. Two boots, each as docker-machine boots (the CD and its data disk,
/// whose autoformat replaces the rootfs's /var/lib/boot2docker): the ISO with the CA, and the same recipe without it.
/// </summary>
[Collection(VerifyBoots.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClosedNetworkBootTests : IDisposable
{
    private readonly RemasterHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_baked_CA_and_daemon_settings_work_in_the_VM_and_survive_docker_machine_provisioning()
    {
        Requires.Tools("qemu-system-x86_64", "xorriso", "cpio", "xz", "depmod", "docker-registry", "docker");
        var ct = TestContext.Current.CancellationToken;
        var storage = Directory.CreateDirectory(_harness.Path("registry-storage")).FullName;
        using var authority = TestRegistry.MakeAuthority("B2IK Test Registry CA");
        using var plain = await TestRegistry.StartAsync(_harness.Directory, storage, authority: null, ct);
        using var tls = await TestRegistry.StartAsync(_harness.Directory, storage, authority, ct);
        var image = await plain.PushTinyImageAsync(_harness.Directory, ct);
        var ca = _harness.Path("company-ca.pem");
        await File.WriteAllTextAsync(ca, authority.ExportCertificatePem() + "\n", ct);
        var tlsImage = $"{tls.GuestAddress}/{image}";
        var plainImage = $"{plain.GuestAddress}/{image}";

        string[] withCa =
        [
            "test \"$(readlink /etc/docker)\" = /var/lib/boot2docker/etc/docker",
            $"docker pull {tlsImage}",
            $"docker pull {plainImage}",
            "docker info --format '{{json .Labels}} {{.ExperimentalBuild}}' | grep 'b2ik=baked' | grep -q true",
            // docker-machine's provisioning (libmachine/provision/boot2docker.go): the profile's EXTRA_ARGS, here with the
            // same insecure registry the recipe bakes, and a user's persisted daemon.json; then the init script's restart.
            "echo '{\"debug\": true}' | sudo tee /var/lib/boot2docker/etc/docker/daemon.json >/dev/null"
                + $" && printf \"EXTRA_ARGS='--label provider=qemu --insecure-registry {plain.GuestAddress}'\\n\" | sudo tee /var/lib/boot2docker/profile >/dev/null"
                + " && sudo /etc/init.d/docker restart"
                + " && for i in $(seq 60); do docker version >/dev/null 2>&1 && break; sleep 1; done;"
                + " docker info --format '{{json .Labels}} {{.Debug}} {{.ExperimentalBuild}}' | tee /dev/stderr | grep 'provider=qemu' | grep 'b2ik=baked' | grep -q 'true true'",
            "grep -q buildkit /var/run/b2ik/daemon.json && grep -q debug /var/run/b2ik/daemon.json && grep -q 172.80.0.0/16 /var/run/b2ik/daemon.json",
            $"docker rmi {tlsImage} {plainImage} && docker pull {tlsImage} && docker pull {plainImage}",
        ];
        var report = await BuildAndBootAsync("closed-net", ca, withCa, VmBootMedium.CdRomWithDataDisk, plain, ct);
        Assert.True(report.Passed, report.ToText());
        Assert.Equal(withCa.Length, report.Rows.Count(r => r.Check.StartsWith("verify: ", StringComparison.Ordinal)));
        Assert.Contains(report.Rows, r => r.Check == "docker daemon (server version)" && r.Passed && r.Detail.Contains("started by the ISO's init", StringComparison.Ordinal));

        string[] withoutCa = [$"docker pull {tlsImage} 2>&1 | grep x509"];
        var refused = await BuildAndBootAsync("closed-net-no-ca", null, withoutCa, VmBootMedium.CdRomWithDataDisk, plain, ct);
        Assert.True(refused.Passed, refused.ToText());
        var pull = Assert.Single(refused.Rows, r => r.Check == "verify: " + withoutCa[0]);
        Assert.Contains("certificate signed by unknown authority", pull.Detail, StringComparison.Ordinal);
    }

    private async Task<VerificationReport> BuildAndBootAsync(string name, string? ca, IReadOnlyList<string> checks, VmBootMedium boot, TestRegistry insecure, CancellationToken ct)
    {
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await DebianTestEngine.GetAsync(ct);
        var recipe = _harness.WriteRecipe($"""
            name: {name}
            base:
              iso: {fixture.IsoPath}
            {engine.RecipeBlock()}
            {(ca is null ? "" : $"certificates:\n  - {ca}\n")}daemon:
              insecure-registries: [{insecure.GuestAddress}]
              labels: [b2ik=baked]
              experimental: true
              features:
                buildkit: false
              default-address-pools:
                - base: 172.80.0.0/16
                  size: 24
              default-ulimits:
                nofile:
                  Hard: 65536
                  Soft: 32768
            verify:
            {string.Concat(checks.Select(c => "  - " + Quoted(c) + "\n"))}
            """);
        var record = await _harness.BuildAsync(recipe, ("output", _harness.Path(name + ".iso")));
        return await new IsoVerifier(new VerifyOptions { Boots = [boot] }, _ => { }).VerifyAsync(record.Iso, record.Verify!, ct);
    }

    private static string Quoted(string command) => "'" + command.Replace("'", "''", StringComparison.Ordinal) + "'";
}
