using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Testing.Debian;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.Debian;

/// <summary>
/// A suite's parsed Packages index is kept beside the verified Packages file: the next load reads it
/// and resolves the same packages; a damaged one is parsed again and rewritten, never trusted.
/// </summary>
public sealed class PackagesIndexCacheTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-pkgindex-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task The_second_load_reads_the_kept_index_and_resolves_the_same_packages()
    {
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var repository = new DebianRepository(mirror, SeededCache());

        var parsed = await repository.LoadIndexAsync("bookworm", cancellationToken: ct);
        var index = Assert.Single(Directory.GetFiles(Path.Combine(repository.CacheDirectory, "dists", "bookworm"), "*-Packages.*.index"));
        var written = File.GetLastWriteTimeUtc(index);
        var kept = await repository.LoadIndexAsync("bookworm", cancellationToken: ct);

        Assert.Equal(written, File.GetLastWriteTimeUtc(index));
        AssertSameIndex(parsed, kept);

        // Damaged: parsed again (same answers) and the index written again, byte for byte as before.
        var bytes = await File.ReadAllBytesAsync(index, ct);
        var damaged = bytes.ToArray();
        damaged[damaged.Length / 3] ^= 0x01;
        await File.WriteAllBytesAsync(index, damaged, ct);
        var reparsed = await repository.LoadIndexAsync("bookworm", cancellationToken: ct);
        AssertSameIndex(parsed, reparsed);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(index, ct));

        // Cut short (a copy that stopped): the same.
        await File.WriteAllBytesAsync(index, bytes.AsMemory(0, bytes.Length - 1000).ToArray(), ct);
        AssertSameIndex(parsed, await repository.LoadIndexAsync("bookworm", cancellationToken: ct));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(index, ct));
    }

    private static void AssertSameIndex(PackagesIndex expected, PackagesIndex actual)
    {
        Assert.True(expected.Count > 1000, $"only {expected.Count} packages in the index");
        Assert.Equal(expected.Count, actual.Count);
        foreach (var name in new[] { "ipvsadm", "libc6", "libnl-3-200", "busybox-static", "coreutils" })
        {
            Assert.Equal(expected.Find(name), actual.Find(name));
        }

        Assert.Equal(expected.Resolve(["ipvsadm"]).Packages, actual.Resolve(["ipvsadm"]).Packages);
        foreach (var virtualName in new[] { "awk", "mail-transport-agent", "c-compiler" })
        {
            Assert.Equal(expected.ProvidersOf(virtualName), actual.ProvidersOf(virtualName));
        }
    }

    /// <summary>A private cache holding the shared cache's Packages files, so only the small Release is fetched.</summary>
    private string SeededCache()
    {
        var cache = Path.Combine(_scratch, "cache");
        var shared = Path.Combine(TestDebianSource.CacheDirectory, "dists", "bookworm");
        var target = Directory.CreateDirectory(Path.Combine(cache, "dists", "bookworm")).FullName;
        if (Directory.Exists(shared))
        {
            foreach (var file in Directory.GetFiles(shared, "*-Packages.xz").Concat(Directory.GetFiles(shared, "*-Packages.gz")))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        return cache;
    }
}
