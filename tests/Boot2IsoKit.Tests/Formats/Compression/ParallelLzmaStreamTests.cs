using Boot2IsoKit.Formats.Compression;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Compression;

/// <summary>
/// The parallel legacy-lzma writer against xz: a cpio archive cut between entries into several .lzma
/// members, each one xz decodes exactly (xz refuses a member with bytes missing or left over, so the
/// boundaries are checked too), whose concatenation is the archive cpio lists; the same bytes whatever
/// the parallelism.
/// </summary>
public sealed class ParallelLzmaStreamTests : IDisposable
{
    private const int SmallMember = 64 << 10;

    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-plzma-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Xz_decodes_every_member_and_their_concatenation_is_the_archive()
    {
        Requires.Tools("xz", "cpio");
        var ct = TestContext.Current.CancellationToken;
        var (archive, compressed, memberCount) = Archive(files: 40, maxParallelism: 4);
        Assert.True(memberCount > 5, $"only {memberCount} members");
        var path = Path.Combine(_scratch, "initrd.lzma");
        await File.WriteAllBytesAsync(path, compressed, ct);

        using var file = File.OpenRead(path);
        var members = new InitrdReader(file, "initrd.lzma").ListMembers();
        Assert.Equal(memberCount, members.Count);
        Assert.All(members, m => Assert.Equal(InitrdCompression.Lzma, m.Compression));
        Assert.Equal(compressed.Length, members.Sum(m => m.CompressedLength));
        using var decoded = new MemoryStream();
        foreach (var member in members)
        {
            var slice = Path.Combine(_scratch, $"member{member.Index}.lzma");
            await File.WriteAllBytesAsync(slice, compressed.AsMemory((int)member.Offset, (int)member.CompressedLength).ToArray(), ct);
            var test = await ExternalTool.RunAsync("xz", ["--format=lzma", "-t", slice], cancellationToken: ct);
            Assert.True(test.ExitCode == 0, $"member {member.Index}: {test.StandardError}");
            await ExternalTool.RunCheckedAsync("xz", ["--format=lzma", "-d", slice], cancellationToken: ct);
            decoded.Write(await File.ReadAllBytesAsync(slice[..^".lzma".Length], ct));
        }

        Assert.Equal(archive, decoded.ToArray());
        var cpioPath = Path.Combine(_scratch, "archive.cpio");
        await File.WriteAllBytesAsync(cpioPath, decoded.ToArray(), ct);
        var list = await ExternalTool.RunCheckedAsync("sh", ["-c", $"cpio -it --quiet < '{cpioPath}'"], cancellationToken: ct);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"opt/file{i:00}"), list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_bytes_do_not_depend_on_the_parallelism()
    {
        var serial = Archive(files: 24, maxParallelism: 1).Compressed;
        Assert.Equal(serial, Archive(files: 24, maxParallelism: 2).Compressed);
        Assert.Equal(serial, Archive(files: 24, maxParallelism: 16).Compressed);
    }

    [Fact]
    public async Task A_member_ends_only_at_a_cut_point_after_the_member_size()
    {
        Requires.Tool("xz");
        var ct = TestContext.Current.CancellationToken;
        var data = Compressible(5 * SmallMember, seed: 9);
        using var output = new MemoryStream();
        using (var lzma = new ParallelLzmaStream(output, leaveOpen: true, memberSize: SmallMember))
        {
            lzma.Write(data, 0, 3 * SmallMember);
            Assert.Equal(0, lzma.MemberCount);
            lzma.MarkCutPoint();
            Assert.Equal(1, lzma.MemberCount);
            lzma.Write(data, 3 * SmallMember, 100);
            lzma.MarkCutPoint();
            Assert.Equal(1, lzma.MemberCount);
            lzma.Write(data, (3 * SmallMember) + 100, data.Length - (3 * SmallMember) - 100);
        }

        // The first member alone, as xz reads it: exactly the first three member sizes, nothing after.
        var whole = Path.Combine(_scratch, "two.lzma");
        await File.WriteAllBytesAsync(whole, output.ToArray(), ct);
        var single = await ExternalTool.RunAsync("xz", ["--format=lzma", "-dc", "--single-stream", whole], cancellationToken: ct);
        Assert.Equal(0, single.ExitCode);
        Assert.Equal(3 * SmallMember, single.StandardOutput.Length);
        var both = await ExternalTool.RunAsync("xz", ["--format=lzma", "-t", whole], cancellationToken: ct);
        Assert.NotEqual(0, both.ExitCode); // a second member follows, which a single .lzma stream does not allow
    }

    [Fact]
    public async Task No_input_still_writes_one_valid_empty_member()
    {
        Requires.Tool("xz");
        var path = Path.Combine(_scratch, "empty.lzma");
        using (var file = File.Create(path))
        using (new ParallelLzmaStream(file))
        {
        }

        var result = await ExternalTool.RunAsync("xz", ["--format=lzma", "-dc", path], cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal("", result.StandardOutput);
    }

    /// <summary>A newc archive of files of 5..45 KiB, cut after every entry, with 64 KiB members.</summary>
    private static (byte[] Archive, byte[] Compressed, int MemberCount) Archive(int files, int maxParallelism)
    {
        var entries = Enumerable.Range(0, files)
            .Select(i => RootfsEntry.File($"opt/file{i:00}", new BytesContent(Compressible(5000 + (i * 1000), seed: i), $"file {i}")))
            .ToList();
        using var plain = new MemoryStream();
        using (var cpio = new CpioWriter(plain, leaveOpen: true))
        {
            cpio.WriteEntries(entries);
            cpio.WriteTrailer();
        }

        using var output = new MemoryStream();
        int members;
        using (var lzma = new ParallelLzmaStream(output, leaveOpen: true, maxParallelism: maxParallelism, memberSize: SmallMember))
        {
            using var cpio = new CpioWriter(lzma, leaveOpen: true);
            foreach (var entry in entries)
            {
                cpio.Write(entry);
                lzma.MarkCutPoint();
            }

            cpio.WriteTrailer();
            cpio.Dispose();
            lzma.Dispose();
            members = lzma.MemberCount;
        }

        return (plain.ToArray(), output.ToArray(), members);
    }

    private static byte[] Compressible(int length, int seed) => SampleText.Words(length, new Random(seed));
}
