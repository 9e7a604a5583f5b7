using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Engines;

/// <summary>
/// A real Docker client packed as an engine tgz of the 18.09+ layout (docker/docker), for tests that pin
/// an engine: the statically linked client this machine ships in /usr/local/bin, else Debian's docker.io
/// client. Its version is read from the installed binary, so the tests know what the booted VM must print.
/// </summary>
internal sealed partial record TestEngine(string TgzPath, string Version)
{
    private static readonly string[] Candidates = ["/usr/local/bin/docker", "/usr/bin/docker"];

    public static Task<TestEngine> CreateAsync(string directory, CancellationToken cancellationToken = default) =>
        PackClientAsync(directory, ["docker"], cancellationToken);

    /// <summary>
    /// The same client also packed as docker/dockerd, for builds of a recipe with <c>daemon:</c> settings (the
    /// experimental recipe), which stand in front of the engine's dockerd. Only for builds that never start the
    /// daemon (stop signals, a full disk): a boot would run the client under the daemon's name.
    /// </summary>
    public static Task<TestEngine> CreateWithDockerdNameAsync(string directory, CancellationToken cancellationToken = default) =>
        PackClientAsync(directory, ["docker", "dockerd"], cancellationToken);

    private static async Task<TestEngine> PackClientAsync(string directory, string[] names, CancellationToken cancellationToken)
    {
        var binary = Candidates.FirstOrDefault(File.Exists)
            ?? throw new MissingToolException("docker (client binary)");
        var versionText = (await ExternalTool.RunCheckedAsync(binary, ["--version"], cancellationToken: cancellationToken).ConfigureAwait(false)).StandardOutput;
        var version = VersionPattern().Match(versionText) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"cannot read a version from '{versionText}'");
        Directory.CreateDirectory(directory);
        var tgz = Path.Combine(directory, $"docker-{version}.tgz");
        await using (var file = File.Create(tgz))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "docker/") { Mode = (UnixFileMode)0x1ED }, cancellationToken).ConfigureAwait(false);
            foreach (var name in names)
            {
                await using var content = File.OpenRead(binary);
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "docker/" + name) { Mode = (UnixFileMode)0x1ED, DataStream = content }, cancellationToken).ConfigureAwait(false);
            }
        }

        return new TestEngine(tgz, version);
    }

    /// <summary>The daemon set of Docker's static tgz (docker/NAME) and the Debian package and path of each.</summary>
    private static readonly (string Name, string Package, string Path)[] DaemonSet =
    [
        ("containerd", "containerd", "usr/bin/containerd"),
        ("containerd-shim", "containerd", "usr/bin/containerd-shim"),
        ("containerd-shim-runc-v2", "containerd", "usr/bin/containerd-shim-runc-v2"),
        ("ctr", "containerd", "usr/bin/ctr"),
        ("docker", "docker.io", "usr/bin/docker"),
        ("docker-init", "tini", "usr/bin/tini-static"),
        ("docker-proxy", "docker.io", "usr/sbin/docker-proxy"),
        ("dockerd", "docker.io", "usr/sbin/dockerd"),
        ("runc", "runc", "usr/sbin/runc"),
    ];

    /// <summary>
    /// An engine tgz with the whole daemon set, laid out like Docker's static tgz of 18.09+
    /// (download.docker.com's linux/static/stable/x86_64/docker-VERSION.tgz: docker/dockerd, docker/containerd,
    /// ... about 220 MB unpacked), made of Debian's docker.io, containerd, runc and tini binaries. The version
    /// is docker.io's upstream version. For benchmarks at real scale; none of it is executed.
    /// </summary>
    public static async Task<TestEngine> CreateDaemonSetAsync(string directory, CancellationToken cancellationToken = default)
    {
        var work = Path.Combine(directory, "debian");
        var packages = new DebianPackages(work);
        var roots = new Dictionary<string, string>(StringComparer.Ordinal);
        var version = "";
        foreach (var package in DaemonSet.Select(d => d.Package).Distinct())
        {
            var deb = await packages.DownloadAsync(package, suite: null, cancellationToken).ConfigureAwait(false);
            roots[package] = Path.Combine(work, "unpacked", package);
            await DebianPackages.ExtractAsync(deb, roots[package], cancellationToken).ConfigureAwait(false);
            if (package == "docker.io")
            {
                version = FixtureBuilder.UpstreamVersion(await DebianPackages.VersionOfAsync(deb, cancellationToken).ConfigureAwait(false)).Split('+')[0];
            }
        }

        var tgz = Path.Combine(directory, $"docker-{version}.tgz");
        await using (var file = File.Create(tgz))
        await using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "docker/") { Mode = (UnixFileMode)0x1ED }, cancellationToken).ConfigureAwait(false);
            foreach (var (name, package, path) in DaemonSet)
            {
                await using var content = File.OpenRead(Path.Combine(roots[package], path));
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "docker/" + name) { Mode = (UnixFileMode)0x1ED, DataStream = content }, cancellationToken).ConfigureAwait(false);
            }
        }

        Directory.Delete(work, recursive: true);
        return new TestEngine(tgz, version);
    }

    [GeneratedRegex(@"Docker version ([0-9][^ ,]*)")]
    private static partial Regex VersionPattern();
}
