using System.Formats.Tar;
using System.IO.Compression;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Engines;

/// <summary>
/// Debian's docker.io (20.10.24 in bookworm) with containerd, runc and tini, packed as an engine tgz of
/// Docker's static layout (docker/&lt;name&gt;): a real, dynamically linked engine for tests that boot a
/// daemon. Its libraries come from the Debian packages in <see cref="LibraryPackages"/>, which a recipe
/// names in engine.libraries. Cached under artifacts/fixtures/ (built once, renamed into place).
/// </summary>
internal sealed record DebianTestEngine(string TgzPath, string Version)
{
    public const string Suite = "bookworm";

    /// <summary>The packages whose libraries the engine's binaries load beyond glibc (dockerd: libsystemd, libdevmapper; runc: libseccomp).</summary>
    public static readonly IReadOnlyList<string> LibraryPackages = ["libsystemd0", "libdevmapper1.02.1", "libseccomp2"];

    /// <summary>Installed name → path in the extracted packages (docker-init is tini's static build, as Docker ships it).</summary>
    private static readonly (string Name, string Path)[] Binaries =
    [
        ("docker", "usr/bin/docker"), ("dockerd", "usr/sbin/dockerd"), ("containerd", "usr/bin/containerd"),
        ("containerd-shim-runc-v2", "usr/bin/containerd-shim-runc-v2"), ("ctr", "usr/bin/ctr"), ("runc", "usr/sbin/runc"),
        ("docker-proxy", "usr/sbin/docker-proxy"), ("docker-init", "usr/bin/tini-static"),
    ];

    private const int CacheVersion = 1;

    /// <summary>A recipe's <c>engine:</c> block pinning this engine with its library packages (YAML, top level, no final newline).</summary>
    public string RecipeBlock() => RecipeBlock(TgzPath, Version);

    /// <summary>A recipe's <c>engine:</c> block pinning an engine tgz of this engine's era, with or without its library packages.</summary>
    public static string RecipeBlock(string tgz, string version, bool withLibraries = true) =>
        $"engine:\n  version: {version}\n  tgz: {tgz}"
        + (withLibraries ? $"\n  libraries:\n    suite: {Suite}\n    debs: [{string.Join(", ", LibraryPackages)}]" : "");

    public static async Task<DebianTestEngine> GetAsync(CancellationToken ct = default)
    {
        var root = Path.Combine(RepositoryRoot.Find(), "artifacts", "fixtures", $"debian-engine-{Suite}-v{CacheVersion}");
        var existing = Directory.Exists(root) ? Directory.GetFiles(root, "docker-*.tgz").SingleOrDefault() : null;
        if (existing is not null)
        {
            return new DebianTestEngine(existing, Path.GetFileNameWithoutExtension(existing)["docker-".Length..]);
        }

        var work = Path.Combine(Path.GetDirectoryName(root)!, $".build-{Path.GetFileName(root)}-{Guid.NewGuid():N}");
        try
        {
            var packages = new DebianPackages(Path.Combine(work, "apt"));
            var debs = await packages.DownloadManyAsync(["docker.io", "containerd", "runc", "tini"], Suite, ct).ConfigureAwait(false);
            var unpacked = Path.Combine(work, "unpacked");
            foreach (var deb in debs)
            {
                await DebianPackages.ExtractAsync(deb, unpacked, ct).ConfigureAwait(false);
            }

            // "20.10.24+dfsg1-1+deb12u1+b6" → "20.10.24": the upstream release, as Docker names its tgz.
            var debianVersion = await DebianPackages.VersionOfAsync(debs[0], ct).ConfigureAwait(false);
            var version = FixtureBuilder.UpstreamVersion(debianVersion).Split('+')[0];
            var output = Directory.CreateDirectory(Path.Combine(work, "out")).FullName;
            var tgz = Path.Combine(output, $"docker-{version}.tgz");
            await using (var file = File.Create(tgz))
            await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "docker/") { Mode = (UnixFileMode)0x1ED }, ct).ConfigureAwait(false);
                foreach (var (name, path) in Binaries)
                {
                    await using var content = File.OpenRead(Path.Combine(unpacked, path));
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "docker/" + name) { Mode = (UnixFileMode)0x1ED, DataStream = content }, ct).ConfigureAwait(false);
                }
            }

            try
            {
                Directory.Move(output, root);
            }
            catch (IOException) when (Directory.Exists(root))
            {
                // Another process packed it meanwhile: same packages, same content.
            }

            return new DebianTestEngine(Path.Combine(root, Path.GetFileName(tgz)), version);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }
}
