using Boot2IsoKit.Formats.Elf;
using Boot2IsoKit.Testing.Debian;
using Boot2IsoKit.Testing.Elf;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Elf;

/// <summary>Our reader against binutils' readelf on real files: host binaries, host libraries, a static binary, and 32-bit and big-endian files from Debian packages.</summary>
public sealed class ElfReadelfAgreementTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-elf-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>A spread of the host's ELF files: every n-th of /usr/bin and of the library directory, plus the interesting ones by name.</summary>
    public static TheoryData<string> HostFiles()
    {
        var data = new TheoryData<string>();
        var picked = new SortedSet<string>(StringComparer.Ordinal);
        void TakeEvery(string directory, string pattern, int count)
        {
            if (!Directory.Exists(directory))
            {
                return;
            }

            var files = Directory.EnumerateFiles(directory, pattern).Where(IsRegularElf).Order(StringComparer.Ordinal).ToList();
            var step = Math.Max(1, files.Count / count);
            for (var i = 0; i < files.Count; i += step)
            {
                picked.Add(files[i]);
            }
        }

        TakeEvery("/usr/bin", "*", 25);
        TakeEvery("/usr/lib/x86_64-linux-gnu", "*.so*", 25);
        foreach (var name in new[]
        {
            "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6",
            "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/sbin/ipvsadm", "/bin/busybox", "/usr/bin/readelf", "/usr/bin/qemu-system-x86_64",
        })
        {
            if (File.Exists(name))
            {
                picked.Add(name);
            }
        }

        foreach (var file in picked)
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HostFiles))]
    public async Task Agrees_with_readelf_on_host_files(string path)
    {
        Requires.Tool("readelf");
        await AssertAgreesAsync(path);
    }

    [Fact]
    public async Task A_static_binary_has_no_dynamic_section_and_no_interpreter()
    {
        Requires.Tool("readelf");
        var busybox = Requires.Tool("busybox");
        var elf = ElfFile.Read(busybox);
        Assert.False(elf.HasDynamicSection);
        Assert.Null(elf.Interpreter);
        Assert.Empty(elf.Needed);
        await AssertAgreesAsync(busybox);
    }

    [Theory]
    [InlineData("i386", ElfClass.Elf32, ElfByteOrder.LittleEndian, ElfMachine.X86)]
    [InlineData("s390x", ElfClass.Elf64, ElfByteOrder.BigEndian, 22)]
    [InlineData("armhf", ElfClass.Elf32, ElfByteOrder.LittleEndian, ElfMachine.Arm)]
    public async Task Agrees_with_readelf_on_foreign_architectures_from_debian(string architecture, ElfClass elfClass, ElfByteOrder byteOrder, int machine)
    {
        Requires.Tool("readelf");
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var libc = await TestDebianSource.ExtractAsync(mirror, "bookworm", "libc6", _scratch, architecture, ct);
        var popt = await TestDebianSource.ExtractAsync(mirror, "bookworm", "libpopt0", _scratch, architecture, ct);
        var ipvsadm = await TestDebianSource.ExtractAsync(mirror, "bookworm", "ipvsadm", _scratch, architecture, ct);
        var files = new[] { libc, popt, ipvsadm }
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(IsRegularElf)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count >= 5, $"expected ELF files in libc6/libpopt0/ipvsadm for {architecture}, found {files.Count}");
        foreach (var file in files)
        {
            var elf = ElfFile.Read(file);
            Assert.Equal(elfClass, elf.Class);
            Assert.Equal(byteOrder, elf.ByteOrder);
            Assert.Equal(machine, elf.Machine);
            await AssertAgreesAsync(file);
        }

        Assert.Contains(files.Select(ElfFile.Read), e => e.VersionDefinitions.Any(d => d.Name == "GLIBC_2.36"));
    }

    private static async Task AssertAgreesAsync(string path)
    {
        var expected = await ReadelfReport.ReadAsync(path, TestContext.Current.CancellationToken);
        var actual = ElfFile.Read(path);
        Assert.Equal(expected.Class, actual.Class.ToString().ToUpperInvariant());
        Assert.Contains(actual.ByteOrder == ElfByteOrder.LittleEndian ? "little endian" : "big endian", expected.ByteOrder, StringComparison.Ordinal);
        Assert.Equal(expected.Interpreter, actual.Interpreter);
        Assert.Equal(expected.HasDynamicSection, actual.HasDynamicSection);
        Assert.Equal(expected.Needed, actual.Needed);
        Assert.Equal(expected.DynamicTags.Contains("VERNEED"), actual.VersionNeeds.Count > 0);
        Assert.Equal(expected.DynamicTags.Contains("VERDEF"), actual.VersionDefinitions.Count > 0);
        Assert.Equal(expected.Soname, actual.Soname);
        Assert.Equal(expected.RPath, actual.RPath);
        Assert.Equal(expected.RunPath, actual.RunPath);
        Assert.Equal(
            expected.VersionNeeds.Select(n => $"{n.File}: {string.Join(' ', n.Versions)}"),
            actual.VersionNeeds.Select(n => $"{n.File}: {string.Join(' ', n.Versions)}"));
        Assert.Equal(
            expected.VersionDefinitions.Select(d => $"{d.Name} < {string.Join(' ', d.Parents)}"),
            actual.VersionDefinitions.Select(d => $"{d.Name} < {string.Join(' ', d.Parents)}"));
    }

    internal static bool IsRegularElf(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is null && info.Length > 64 && ElfFile.HasElfMagic(path);
    }
}
