using Boot2IsoKit.Inputs.Registry;

namespace Boot2IsoKit.Tests.Inputs.Registry;

/// <summary>
/// Cases from distribution/reference's normalize_test.go and reference_test.go (TestValidateReferenceName,
/// TestValidateRemoteName, TestParseRepositoryInfo), as docker itself normalizes them.
/// </summary>
public sealed class ImageReferenceTests
{
    private const string Hex = "7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa";

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null)]
    [InlineData("library/debian", "docker.io", "library/debian", "latest", null)]
    [InlineData("docker.io/debian", "docker.io", "library/debian", "latest", null)]
    [InlineData("index.docker.io/debian", "docker.io", "library/debian", "latest", null)]
    [InlineData("index.docker.io/docker/docker", "docker.io", "docker/docker", "latest", null)]
    [InlineData("fooo/bar", "docker.io", "fooo/bar", "latest", null)]
    [InlineData("localhost/fooo", "localhost", "fooo", "latest", null)]
    [InlineData("localhost:5000/fooo/bar:tag", "localhost:5000", "fooo/bar", "tag", null)]
    [InlineData("LOCALDOMAIN/fooo/bar", "LOCALDOMAIN", "fooo/bar", "latest", null)]
    [InlineData("127.0.0.1:5000/b2ik/tiny:1", "127.0.0.1:5000", "b2ik/tiny", "1", null)]
    [InlineData("192.168.0.1:8/debian", "192.168.0.1:8", "debian", "latest", null)]
    [InlineData("[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker", "latest", null)]
    [InlineData("docker---rules/docker", "docker.io", "docker---rules/docker", "latest", null)]
    [InlineData("dock__er/docker:V_1.x-2", "docker.io", "dock__er/docker", "V_1.x-2", null)]
    [InlineData("docker.io/" + Hex, "docker.io", "library/" + Hex, "latest", null)]
    [InlineData("ghcr.io/o/r@sha256:" + Hex, "ghcr.io", "o/r", null, "sha256:" + Hex)]
    [InlineData("busybox:latest@sha256:" + Hex, "docker.io", "library/busybox", "latest", "sha256:" + Hex)]
    public void Parses_and_normalizes_as_docker_does(string text, string registry, string repository, string? tag, string? digest)
    {
        Assert.True(ImageReference.TryParse(text, out var reference, out var problem), problem);
        Assert.Equal(new ImageReference(registry, repository, tag, digest), reference);
        Assert.Null(problem);
        Assert.Equal(digest ?? tag, reference!.ManifestReference);
        Assert.True(ImageReference.TryParse(reference.ToString(), out var again, out _), "the canonical form parses");
        Assert.Equal(reference, again);
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("127.0.0.1:5000/b2ik/tiny@sha256:" + Hex, "127.0.0.1:5000/b2ik/tiny@sha256:" + Hex)]
    [InlineData("b:t@sha256:" + Hex, "docker.io/library/b:t@sha256:" + Hex)]
    public void Prints_the_canonical_form(string text, string canonical)
    {
        Assert.True(ImageReference.TryParse(text, out var reference, out _));
        Assert.Equal(canonical, reference!.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(" busybox", "spaces")]
    [InlineData("Busybox", "lower case")]
    [InlineData("docker/Docker", "lower case")]
    [InlineData("docker.io/docker/Docker", "lower case")]
    [InlineData(Hex, "image ID")]
    [InlineData("https://github.com/docker/docker", "not a valid reference")]
    [InlineData("-docker", "not a valid reference")]
    [InlineData("docker-/docker", "not a valid reference")]
    [InlineData("docker///docker", "not a valid reference")]
    [InlineData("dock..er/docker", "not a valid reference")]
    [InlineData("____/____", "not a valid reference")]
    [InlineData("docker/", "not a valid reference")]
    [InlineData("[fc00::1]:5000", "not a valid reference")]
    [InlineData("[fe80::1%eth0]:5000/debian", "not a valid reference")]
    [InlineData("busybox:-tag", "not a valid reference")]
    [InlineData("busybox@sha256:abc", "not a valid reference")]
    [InlineData("busybox@sha256:7CC4B5AEFD1D0CADF8D97D4350462BA51C694EBCA145B08D7D41B41ACC8DB5AA", "64 lower-case hex")]
    [InlineData("busybox@sha256:" + Hex + "00", "64 lower-case hex")]
    [InlineData("busybox@sha512:" + Hex + Hex, "only sha256")]
    public void Refuses_what_docker_refuses(string text, string expected)
    {
        Assert.False(ImageReference.TryParse(text, out var reference, out var problem));
        Assert.Null(reference);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_tag_over_128_characters_and_a_repository_over_255()
    {
        Assert.True(ImageReference.TryParse("busybox:" + new string('t', 128), out _, out _));
        Assert.False(ImageReference.TryParse("busybox:" + new string('t', 129), out _, out _));
        var longName = string.Join('/', Enumerable.Repeat(new string('a', 63), 3)) + "/" + new string('b', 64);
        Assert.Equal(256, longName.Length);
        Assert.False(ImageReference.TryParse("example.com/" + longName, out _, out var problem));
        Assert.Contains("longer than 255", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_hub_goes_to_its_api_host_and_others_to_their_own()
    {
        Assert.True(ImageReference.TryParse("busybox", out var hub, out _));
        Assert.Equal(new Uri("https://registry-1.docker.io/"), RegistryAccess.For(hub!).BaseAddress);
        Assert.True(ImageReference.TryParse("127.0.0.1:5000/b2ik/tiny:1", out var local, out _));
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), RegistryAccess.For(local!, plainHttp: true).BaseAddress);
        Assert.Equal(new Uri("https://mirror.example/"), RegistryAccess.For(hub!, false, null, "mirror.example").BaseAddress);
    }

    [Fact]
    public void Credentials_never_print_their_password()
    {
        var credentials = new RegistryCredentials("alice", "s3cret-Passw0rd");
        var access = new RegistryAccess(new Uri("https://r.example/"), credentials);
        Assert.DoesNotContain("s3cret", credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", access.ToString(), StringComparison.Ordinal);
        Assert.Contains("alice", access.ToString(), StringComparison.Ordinal);
    }
}
