using System.Security.Cryptography;
using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Testing.Debian;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.Debian;

/// <summary>Real packages from the configured Debian mirror: resolution, verified download, extraction compared with dpkg-deb.</summary>
public sealed class DebianMirrorPackageTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-deb-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Ipvsadm_in_bookworm_resolves_to_its_netlink_and_popt_libraries()
    {
        var mirror = RequiresMirror.Get();
        var index = await TestDebianSource.IndexAsync(mirror, "bookworm", cancellationToken: TestContext.Current.CancellationToken);
        var resolved = index.Resolve(["ipvsadm"], new ResolveOptions { Exclude = new HashSet<string> { "libc6" } });
        var names = resolved.Packages.Select(p => p.Name).ToList();
        Assert.Equal("ipvsadm", names[0]);
        Assert.Contains("libnl-genl-3-200", names);
        Assert.Contains("libnl-3-200", names);
        Assert.Contains("libpopt0", names);
        Assert.DoesNotContain("libc6", names);
        Assert.Contains("libc6", resolved.Skipped);
        Assert.Empty(resolved.Warnings);

        // Without the exclusion, libc6 and what it pulls in come along.
        var full = index.Resolve(["ipvsadm"]).Packages.Select(p => p.Name).ToList();
        Assert.Contains("libc6", full);
    }

    [Fact]
    public async Task Downloads_are_verified_and_cached_by_sha256()
    {
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var index = await TestDebianSource.IndexAsync(mirror, "bookworm", cancellationToken: ct);
        var info = index.Find("libpopt0")!;
        var repository = TestDebianSource.Repository(mirror);
        var path = await repository.DownloadAsync(info, ct);
        Assert.Equal(info.Size, new FileInfo(path).Length);
        await using (var stream = File.OpenRead(path))
        {
            Assert.Equal(info.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct)));
        }

        Assert.Contains(info.Sha256!, Path.GetFileName(path), StringComparison.Ordinal);
        Assert.Equal(path, await repository.DownloadAsync(info, ct));

        // An index entry whose hash does not match what the mirror serves is refused, and nothing is left behind.
        var forged = info with { Sha256 = new string('0', 64) };
        await Assert.ThrowsAsync<Boot2IsoKit.Inputs.Downloads.DownloadVerificationException>(() => repository.DownloadAsync(forged, ct));
        Assert.False(File.Exists(Path.Combine(repository.CacheDirectory, "debs", $"{forged.Sha256}-{Path.GetFileName(info.Filename)}")));
    }

    [Theory]
    [InlineData("bookworm", "ipvsadm")]
    [InlineData("bookworm", "libc6")]
    [InlineData("bookworm", "libnl-3-200")]
    [InlineData("trixie", "libc6")]
    [InlineData("bullseye", "busybox-static")]
    public async Task Extraction_matches_dpkg_deb(string suite, string package)
    {
        var dpkgDeb = Requires.Tool("dpkg-deb");
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var index = await TestDebianSource.IndexAsync(mirror, suite, cancellationToken: ct);
        var deb = await TestDebianSource.Repository(mirror).DownloadAsync(index.Find(package)!, ct);
        var ours = Path.Combine(_scratch, "ours");
        var theirs = Path.Combine(_scratch, "theirs");
        DebPackage.Open(deb).ExtractData(ours);
        Directory.CreateDirectory(theirs);
        await ExternalTool.RunCheckedAsync(dpkgDeb, ["-x", deb, theirs], cancellationToken: ct);
        Assert.Equal(await TreeAsync(theirs), await TreeAsync(ours));

        var control = DebPackage.Open(deb).ReadControl();
        Assert.Equal(package, control["Package"]);
        Assert.Equal(index.Find(package)!.Version, control["Version"]);
    }

    [Fact]
    public async Task Local_debs_are_a_source_too()
    {
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var index = await TestDebianSource.IndexAsync(mirror, "bookworm", cancellationToken: ct);
        var repository = TestDebianSource.Repository(mirror);
        var local = Directory.CreateDirectory(Path.Combine(_scratch, "debs")).FullName;
        var options = new ResolveOptions { Exclude = new HashSet<string> { "libc6" } };
        var onlineResolution = index.Resolve(["ipvsadm"], options);
        var online = onlineResolution.Packages;
        foreach (var package in online)
        {
            var deb = await repository.DownloadAsync(package, ct);
            File.Copy(deb, Path.Combine(local, Path.GetFileName(package.Filename!)));
        }

        var offline = PackagesIndex.FromLocal(local);
        // Essential packages the mirror's index marked (sysvinit-utils...) are not in the local set: the caller names them as provided.
        var resolved = offline.Resolve(["ipvsadm"], new ResolveOptions { Exclude = new HashSet<string>(onlineResolution.Skipped) });
        Assert.Equal(online.Select(p => $"{p.Name} {p.Version}").Order(StringComparer.Ordinal), resolved.Packages.Select(p => $"{p.Name} {p.Version}").Order(StringComparer.Ordinal));
        Assert.All(resolved.Packages, p => Assert.StartsWith(local, p.LocalPath, StringComparison.Ordinal));
        Assert.Equal(resolved.Packages[0].LocalPath, await repository.DownloadAsync(resolved.Packages[0], ct));

        // Without libc6 excluded, the offline set cannot satisfy ipvsadm, and says which dependency is missing.
        var error = Assert.Throws<DebianResolutionException>(() => offline.Resolve(["ipvsadm"]));
        Assert.Contains("libc6", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("gzip")]
    [InlineData("xz")]
    [InlineData("none")]
    public async Task Every_data_tar_compression_dpkg_deb_writes_is_read(string compression)
    {
        var dpkgDeb = Requires.Tool("dpkg-deb");
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var index = await TestDebianSource.IndexAsync(mirror, "bookworm", cancellationToken: ct);
        var original = await TestDebianSource.Repository(mirror).DownloadAsync(index.Find("libpopt0")!, ct);
        var tree = Path.Combine(_scratch, "tree");
        await ExternalTool.RunCheckedAsync(dpkgDeb, ["-R", original, tree], cancellationToken: ct);
        var rebuilt = Path.Combine(_scratch, $"rebuilt-{compression}.deb");
        await ExternalTool.RunCheckedAsync(dpkgDeb, [$"-Z{compression}", "--root-owner-group", "-b", tree, rebuilt], cancellationToken: ct);
        var members = await ExternalTool.RunCheckedAsync("ar", ["t", rebuilt], cancellationToken: ct);
        Assert.Contains(compression == "none" ? "data.tar\n" : "data.tar.", members.StandardOutput, StringComparison.Ordinal);

        var ours = Path.Combine(_scratch, "ours");
        var theirs = Path.Combine(_scratch, "theirs");
        DebPackage.Open(rebuilt).ExtractData(ours);
        Directory.CreateDirectory(theirs);
        await ExternalTool.RunCheckedAsync(dpkgDeb, ["-x", rebuilt, theirs], cancellationToken: ct);
        Assert.Equal(await TreeAsync(theirs), await TreeAsync(ours));
        Assert.Equal("libpopt0", DebPackage.Open(rebuilt).ReadControl()["Package"]);
    }

    /// <summary>
    /// A downloaded .deb's data.tar is decoded once and kept beside it in the cache. Whether an extraction decodes
    /// it, reads the kept tar, or finds the kept tar damaged, the files are what dpkg-deb -x makes of the same .debs.
    /// </summary>
    [Fact]
    public async Task Kept_and_freshly_decoded_data_tars_extract_what_dpkg_deb_extracts()
    {
        var dpkgDeb = Requires.Tool("dpkg-deb");
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var packages = (await TestDebianSource.IndexAsync(mirror, "bookworm", cancellationToken: ct)).Resolve(["ipvsadm"]).Packages;

        // A private cache holding the shared cache's copies of these .debs, so no other test's kept tars are used.
        var cache = Path.Combine(_scratch, "cache");
        Directory.CreateDirectory(Path.Combine(cache, "debs"));
        foreach (var package in packages)
        {
            var shared = await TestDebianSource.Repository(mirror).DownloadAsync(package, ct);
            File.Copy(shared, Path.Combine(cache, "debs", Path.GetFileName(shared)));
        }

        var repository = new DebianRepository(mirror, cache);
        var first = await repository.ExtractAllAsync(packages, Path.Combine(_scratch, "first"), cancellationToken: ct);
        var tars = first.Select(d => d.Deb + ".data.tar").ToList();
        Assert.All(tars, tar => Assert.True(File.Exists(tar) && File.Exists(tar + ".sha256"), $"{tar} was not kept with its hash"));
        var keptAt = tars.Select(File.GetLastWriteTimeUtc).ToList();

        // dpkg-deb -x of the same .debs, in the same order, into one directory.
        var reference = Directory.CreateDirectory(Path.Combine(_scratch, "dpkg-deb")).FullName;
        foreach (var (_, deb, _) in first)
        {
            await ExternalTool.RunCheckedAsync(dpkgDeb, ["-x", deb, reference], cancellationToken: ct);
        }

        var expected = await TreeAsync(reference);
        Assert.Contains(expected, line => line.StartsWith("sbin/ipvsadm ", StringComparison.Ordinal));
        Assert.Equal(expected, await TreeAsync(Path.Combine(_scratch, "first")));

        // The second extraction reads the kept tars as they are.
        var second = await repository.ExtractAllAsync(packages, Path.Combine(_scratch, "second"), cancellationToken: ct);
        Assert.Equal(keptAt, tars.Select(File.GetLastWriteTimeUtc).ToList());
        Assert.Equal(first.Select(d => d.Files), second.Select(d => d.Files));
        Assert.Equal(expected, await TreeAsync(Path.Combine(_scratch, "second")));

        // A damaged kept tar is not trusted: it is decoded again from the .deb.
        var largest = tars.OrderByDescending(t => new FileInfo(t).Length).First();
        var bytes = await File.ReadAllBytesAsync(largest, ct);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(largest, bytes, ct);
        await repository.ExtractAllAsync(packages, Path.Combine(_scratch, "third"), cancellationToken: ct);
        Assert.Equal(expected, await TreeAsync(Path.Combine(_scratch, "third")));
    }

    private static string Mode(string path) => OperatingSystem.IsWindows() ? "" : Convert.ToString((int)File.GetUnixFileMode(path), 8);

    /// <summary>Every entry with its type, permission bits, symlink target or content hash (mtimes of symlinks aside).</summary>
    private static async Task<List<string>> TreeAsync(string root)
    {
        var lines = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path);
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                lines.Add($"{relative} -> {target}");
            }
            else if (Directory.Exists(path))
            {
                lines.Add($"{relative}/ {Mode(path)}");
            }
            else
            {
                await using var stream = File.OpenRead(path);
                var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
                lines.Add($"{relative} {Mode(path)} {info.Length} {hash} {info.LastWriteTimeUtc:O}");
            }
        }

        return lines;
    }
}
