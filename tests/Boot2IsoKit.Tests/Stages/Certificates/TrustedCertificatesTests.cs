using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.Certificates;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Certificates;

/// <summary>The certificates: key, read back by openssl (an independent reader), and every bad input refused with its place.</summary>
public sealed class TrustedCertificatesTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("b2ik-certs-").FullName;
    private readonly List<string> _warnings = [];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_file_of_two_certificates_gives_two_crt_files_in_the_directory_bootsync_sh_installs_from()
    {
        var openssl = Requires.Tool("openssl");
        using var first = TestCertificates.Authority("B2IK Root One");
        using var second = TestCertificates.Authority("B2IK Root Two");
        TestCertificates.Write(_work, "company ca.pem", "comment before\n" + TestCertificates.Pem(first) + "between\n" + TestCertificates.Pem(second));

        var entries = Entries(new CertificateSpec("company ca.pem", false, 3));

        Assert.Equal(
            [$"{TrustedCertificates.Directory}/recipe-company_ca-1.crt", $"{TrustedCertificates.Directory}/recipe-company_ca-2.crt"],
            entries.Select(e => e.Path));
        Assert.All(entries, e => Assert.Equal((0x1A4, 42L), (e.Permissions, e.ModificationTime)));
        var subjects = new List<string>();
        foreach (var entry in entries)
        {
            var file = Path.Combine(_work, Path.GetFileName(entry.Path));
            await using (var output = File.Create(file))
            await using (var content = entry.Content!.OpenRead())
            {
                await content.CopyToAsync(output, TestContext.Current.CancellationToken);
            }

            var read = await ExternalTool.RunCheckedAsync(openssl, ["x509", "-noout", "-subject", "-in", file], cancellationToken: TestContext.Current.CancellationToken);
            subjects.Add(read.StandardOutput.Trim());
        }

        Assert.Equal(["subject=CN = B2IK Root One", "subject=CN = B2IK Root Two"], subjects);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void A_private_key_is_refused_with_its_line()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        TestCertificates.Write(_work, "ca.pem", "# the CA\n\n" + key.ExportPkcs8PrivateKeyPem() + "\n");

        var error = Assert.Throws<InvalidInputException>(() => Entries(new CertificateSpec("ca.pem", false, 1)));

        Assert.Equal(Path.Combine(_work, "ca.pem"), error.Input);
        Assert.Equal("line 3", error.Location);
        Assert.Contains("is a private key (PRIVATE KEY), not a certificate", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a certificate at all\n", "file", "holds no PEM certificate")]
    [InlineData("\n-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n", "line 2", "is not a readable X.509 certificate")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n", "line 1", "is a PEM 'PUBLIC KEY' block, not a CERTIFICATE")]
    public void Garbage_is_refused_with_its_place(string text, string location, string problem)
    {
        TestCertificates.Write(_work, "bad.crt", text);

        var error = Assert.Throws<InvalidInputException>(() => Entries(new CertificateSpec("bad.crt", false, 1)));

        Assert.Equal(location, error.Location);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_stops_the_plan_unless_allowed_and_then_warns()
    {
        using var expired = TestCertificates.Authority("B2IK Old Root", DateTimeOffset.UtcNow.AddYears(-3), DateTimeOffset.UtcNow.AddYears(-1));
        TestCertificates.Write(_work, "old.pem", TestCertificates.Pem(expired));

        var error = Assert.Throws<InvalidInputException>(() => Entries(new CertificateSpec("old.pem", false, 1)));
        Assert.Contains("certificate 'CN=B2IK Old Root' expired on", error.Problem, StringComparison.Ordinal);
        Assert.Contains("--allow-expired-certificates", error.Problem, StringComparison.Ordinal);
        Assert.Empty(_warnings);

        Assert.Single(Entries(new CertificateSpec("old.pem", AllowExpired: true, 1)));
        Assert.Single(TrustedCertificates.Entries([new CertificateSpec("old.pem", false, 1)], IsoLayout.New, "r.yml", p => Path.Combine(_work, p), DateTimeOffset.UtcNow, allowExpired: true, _warnings.Add, 42));
        Assert.Equal(2, _warnings.Count);
        Assert.All(_warnings, w => Assert.Contains("baked in anyway", w, StringComparison.Ordinal));
    }

    [Fact]
    public void Two_files_that_would_be_installed_under_one_name_are_refused()
    {
        using var ca = TestCertificates.Authority("B2IK Root");
        Directory.CreateDirectory(Path.Combine(_work, "a"));
        Directory.CreateDirectory(Path.Combine(_work, "b"));
        TestCertificates.Write(Path.Combine(_work, "a"), "ca.pem", TestCertificates.Pem(ca));
        TestCertificates.Write(Path.Combine(_work, "b"), "ca.crt", TestCertificates.Pem(ca));

        var error = Assert.Throws<InvalidInputException>(() => Entries(new CertificateSpec("a/ca.pem", false, 1), new CertificateSpec("b/ca.crt", false, 2)));

        Assert.Equal("recipe line 2", error.Location);
        Assert.Contains("recipe-ca.crt", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_legacy_layout_base_is_refused_it_only_installs_certificates_from_the_data_disk()
    {
        using var ca = TestCertificates.Authority("B2IK Root");
        TestCertificates.Write(_work, "ca.pem", TestCertificates.Pem(ca));

        var error = Assert.Throws<InvalidInputException>(() => TrustedCertificates.Entries([new CertificateSpec("ca.pem", false, 7)], IsoLayout.Old, "r.yml", p => Path.Combine(_work, p), DateTimeOffset.UtcNow, false, _warnings.Add, 42));

        Assert.Equal(("r.yml", "line 7"), (error.Input, error.Location));
        Assert.Contains("needs a boot2docker 18.09 or later base", error.Problem, StringComparison.Ordinal);
    }

    private IReadOnlyList<RootfsEntry> Entries(params CertificateSpec[] specs) =>
        TrustedCertificates.Entries(specs, IsoLayout.New, "r.yml", p => Path.Combine(_work, p), DateTimeOffset.UtcNow, allowExpired: false, _warnings.Add, 42);
}
