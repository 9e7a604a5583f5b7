using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Tests.Plumbing.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_failed_write_keeps_the_old_file_and_leaves_no_temporary()
    {
        var target = Path.Combine(_directory, "out.iso");
        await File.WriteAllTextAsync(target, "old", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteAsync(target, async (s, ct) =>
        {
            await s.WriteAsync(new byte[100], ct);
            throw new IOException("disk gone");
        }, TestContext.Current.CancellationToken));

        Assert.Equal("old", await File.ReadAllTextAsync(target, TestContext.Current.CancellationToken));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_successful_write_replaces_the_file()
    {
        var target = Path.Combine(_directory, "sub", "out.iso");

        await AtomicFile.WriteAsync(target, (s, ct) => s.WriteAsync("new"u8.ToArray(), ct).AsTask(), TestContext.Current.CancellationToken);

        Assert.Equal("new", await File.ReadAllTextAsync(target, TestContext.Current.CancellationToken));
    }
}
