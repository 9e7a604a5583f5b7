using System.Security.Cryptography;
using Boot2IsoKit.Downloads;
using Boot2IsoKit.Errors;

namespace Boot2IsoKit.Tests.Downloads;

/// <summary>The minimal downloader over file:// URLs: verified bytes appear, wrong ones never do.</summary>
public sealed class HttpDownloaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-download-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_pinned_file_is_placed_and_a_mismatch_leaves_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = Path.Combine(_directory, "source.bin");
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        await File.WriteAllBytesAsync(source, bytes, ct);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var downloader = new HttpDownloader();

        var good = Path.Combine(_directory, "good.bin");
        Assert.Equal(sha, await downloader.DownloadAsync(new DownloadRequest(new Uri(source), good, sha, bytes.Length), ct));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(good, ct));

        var badHash = Path.Combine(_directory, "bad-hash.bin");
        var error = await Assert.ThrowsAsync<InvalidInputException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(source), badHash, new string('a', 64)), ct));
        Assert.Equal("sha256", error.Location);
        Assert.False(File.Exists(badHash));

        var badSize = Path.Combine(_directory, "bad-size.bin");
        await Assert.ThrowsAsync<InvalidInputException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(source), badSize, ExpectedSize: bytes.Length + 1), ct));
        Assert.False(File.Exists(badSize));
        Assert.Equal(["good.bin", "source.bin"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
