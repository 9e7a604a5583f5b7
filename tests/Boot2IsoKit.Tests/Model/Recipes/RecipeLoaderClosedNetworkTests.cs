using Boot2IsoKit.Model.Recipes;

namespace Boot2IsoKit.Tests.Model.Recipes;

/// <summary><c>certificates:</c>, <c>daemon:</c>, <c>images:</c> and <c>registries:</c>: shapes read, names and types checked against dockerd's options, with line and column.</summary>
public class RecipeLoaderClosedNetworkTests
{
    private const string Head = "name: x\nbase: {release: v19.03.12}\n";

    [Fact]
    public void Certificates_and_daemon_settings_load_with_their_shapes()
    {
        var recipe = RecipeLoader.Load(Head + """
            certificates:
              - certs/company.pem
              - { file: certs/old.pem, allow-expired: true }
            daemon:
              insecure-registries: [10.0.2.2:5000]
              registry-mirrors: ["https://mirror.example:5443"]
              labels: [team=ops]
              experimental: true
              debug: false
              max-concurrent-downloads: 5
              log-driver: json-file
              log-opts: {max-size: 10m}
              features: {buildkit: true}
            """, "r.yml");

        Assert.Equal([new CertificateSpec("certs/company.pem", false, 4), new CertificateSpec("certs/old.pem", true, 5)], recipe.Certificates);
        Assert.Equal(
            ["insecure-registries", "registry-mirrors", "labels", "experimental", "debug", "max-concurrent-downloads", "log-driver", "log-opts", "features"],
            recipe.Daemon.Select(d => d.Key));
        Assert.Equal(
            """["10.0.2.2:5000"] ["https://mirror.example:5443"] ["team=ops"] true false 5 "json-file" {"max-size":"10m"} {"buildkit":true}""",
            string.Join(' ', recipe.Daemon.Select(d => d.Value.ToJsonString())));
        Assert.Equal(7, recipe.Daemon[0].Line);
    }

    [Fact]
    public void Object_valued_directives_load_in_the_shapes_dockerd_reads()
    {
        var recipe = RecipeLoader.Load(Head + """
            daemon:
              default-address-pools: [{base: 172.80.0.0/16, size: 24}]
              runtimes: {crun: {path: /usr/local/bin/crun, runtimeArgs: [--debug]}}
              default-ulimits: {nofile: {Hard: 64000, Soft: 32000}}
            """, "r.yml");

        Assert.Equal(
            """[{"base":"172.80.0.0/16","size":24}] {"crun":{"path":"/usr/local/bin/crun","runtimeArgs":["--debug"]}} {"nofile":{"Name":"nofile","Hard":64000,"Soft":32000}}""",
            string.Join(' ', recipe.Daemon.Select(d => d.Value.ToJsonString())));
    }

    [Fact]
    public void Images_and_registries_load_with_their_shapes()
    {
        var recipe = RecipeLoader.Load(Head + """
            images:
              - busybox:1.36
              - { archive: images/tools.tar }
              - { ref: "127.0.0.1:5000/b2ik/tiny@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", tag: "tiny:pinned" }
            registries:
              127.0.0.1:5000: { plain-http: true }
              ghcr.io: { username: ci, password-env: GHCR_TOKEN, url: "https://ghcr.mirror.example/" }
            """, "r.yml");

        Assert.Equal(
            [
                new ImageSpec(null, "busybox:1.36", null, 4),
                new ImageSpec("images/tools.tar", null, null, 5),
                new ImageSpec(null, "127.0.0.1:5000/b2ik/tiny@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "tiny:pinned", 6),
            ],
            recipe.Images);
        Assert.Equal(
            [new RegistrySpec("127.0.0.1:5000", true, null, null, null, 8), new RegistrySpec("ghcr.io", false, "https://ghcr.mirror.example/", "ci", "GHCR_TOKEN", 9)],
            recipe.Registries);
    }

    [Theory]
    [InlineData("images:\n  - { archive: a.tar, ref: busybox }\n", 4, 5, "either 'archive:'")]
    [InlineData("images:\n  - { archive: a.tar, tag: x:1 }\n", 4, 28, "an archive keeps the names docker save gave it")]
    [InlineData("images:\n  - \"busy box\"\n", 4, 5, "is not an image reference")]
    [InlineData("images:\n  - { image: busybox }\n", 4, 7, "unknown key 'image' in image")]
    [InlineData("registries:\n  ghcr.io: { username: ci, password: hunter2 }\n", 4, 28, "a recipe holds no password")]
    [InlineData("registries:\n  ghcr.io: { username: ci }\n", 4, 12, "'username:' and 'password-env:' go together")]
    [InlineData("registries:\n  ghcr.io/org: { plain-http: true }\n", 4, 3, "is not a registry host")]
    [InlineData("registries:\n  ghcr.io: { url: ftp://x }\n", 4, 19, "is not an http or https URL")]
    [InlineData("registries: [ghcr.io]\n", 3, 13, "'registries' must be a mapping")]
    [InlineData("daemon:\n  default-address-pools: [{base: 172.80.0.0/16}]\n", 4, 27, "daemon 'default-address-pools' item needs 'size:'")]
    [InlineData("daemon:\n  runtimes: {crun: {path: /x, args: [a]}}\n", 4, 31, "unknown key 'args'")]
    [InlineData("daemon:\n  default-ulimits: {nofile: {Hard: many, Soft: 1}}\n", 4, 36, "must be a whole number")]
    [InlineData("daemon:\n  insecure-registry: [a]\n", 4, 3, "unknown daemon key 'insecure-registry'")]
    [InlineData("daemon:\n  experimental: \"true\"\n", 4, 17, "daemon 'experimental' must be true or false (unquoted)")]
    [InlineData("daemon:\n  experimental: yes\n", 4, 17, "must be true or false")]
    [InlineData("daemon:\n  insecure-registries: 10.0.2.2:5000\n", 4, 24, "daemon 'insecure-registries' must be a list")]
    [InlineData("daemon:\n  mtu: 1500.5\n", 4, 8, "daemon 'mtu' must be a whole number")]
    [InlineData("daemon:\n  log-opts: [max-size=10m]\n", 4, 13, "daemon 'log-opts' must be a mapping")]
    [InlineData("daemon:\n  features: {buildkit: on}\n", 4, 24, "daemon 'features' value must be true or false")]
    [InlineData("daemon:\n  log-level: verbose\n", 4, 14, "'verbose', not one of: debug, info, warn, error, fatal")]
    [InlineData("daemon:\n  data-root: /mnt/docker\n", 4, 3, "cannot be baked: boot2docker's init.d/docker passes --data-root")]
    [InlineData("daemon:\n  hosts: [tcp://0.0.0.0:2375]\n", 4, 3, "cannot be baked")]
    [InlineData("daemon:\n  tlsverify: true\n", 4, 3, "docker-machine sets up the daemon's TLS")]
    [InlineData("daemon:\n  labels: [\"a=b\\nc=d\"]\n", 4, 12, "must be a single non-empty value on one line")]
    [InlineData("daemon: [experimental]\n", 3, 9, "'daemon' must be a mapping")]
    [InlineData("certificates:\n  - {file: a.pem, allow-expired: \"yes\"}\n", 4, 34, "allow-expired must be true or false")]
    [InlineData("certificates:\n  - {path: a.pem}\n", 4, 6, "unknown key 'path' in certificate")]
    [InlineData("certificates: a.pem\n", 3, 15, "must be a list")]
    public void Bad_values_are_refused_with_line_and_column(string tail, int line, int column, string problem)
    {
        var error = Assert.Throws<RecipeException>(() => RecipeLoader.Load(Head + tail, "r.yml"));

        Assert.Equal($"line {line}, column {column}", error.Location);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }
}
