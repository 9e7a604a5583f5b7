using System.Buffers.Binary;
using Boot2IsoKit.Formats.Elf;
using Boot2IsoKit.Testing.Elf;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Elf;

/// <summary>A generated corpus of broken ELF files (truncations, byte flips at fixed seeds, absurd counts): only InvalidElfException may come out.</summary>
public sealed class ElfCorruptionTests
{
    private static readonly string[] Samples =
    [
        "/usr/sbin/ipvsadm",
        "/usr/lib/x86_64-linux-gnu/libpopt.so.0",
        "/usr/lib/x86_64-linux-gnu/libnl-3.so.200",
    ];

    public static TheoryData<string> SampleFiles() => [.. Samples];

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Truncated_files_give_InvalidElfException(string path)
    {
        var bytes = Sample(path);
        var lengths = Enumerable.Range(0, 256).Concat(Enumerable.Range(1, 96).Select(i => (int)((long)bytes.Length * i / 97))).Distinct();
        var failures = 0;
        foreach (var length in lengths)
        {
            failures += Outcome(bytes.AsSpan(0, length).ToArray(), $"{path} cut at {length}") ? 0 : 1;
        }

        Assert.True(failures > 200, $"only {failures} truncations were rejected");
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Random_byte_flips_give_a_result_or_InvalidElfException(string path)
    {
        Requires.Tool("readelf");
        var bytes = Sample(path);
        var report = await ReadelfReport.ReadAsync(path, TestContext.Current.CancellationToken);
        var dynamic = (int)report.DynamicOffset!.Value;

        // Flips land where the reader looks: headers, program headers, the dynamic section, strings and version records.
        var rejected = 0;
        for (var seed = 1; seed <= 400; seed++)
        {
            var random = new Random(seed);
            var copy = (byte[])bytes.Clone();
            var flips = random.Next(1, 9);
            for (var i = 0; i < flips; i++)
            {
                var region = random.Next(3);
                var at = region switch
                {
                    0 => random.Next(0, 64 + (56 * 13)),
                    1 => dynamic + random.Next(0, 0x200),
                    _ => random.Next(0, Math.Min(bytes.Length, 0x2000)),
                };
                if (random.Next(4) == 0)
                {
                    copy[at] = 0xff; // absurd values: huge counts, offsets and sizes
                }
                else
                {
                    copy[at] ^= (byte)(1 << random.Next(8));
                }
            }

            rejected += Outcome(copy, $"{path} seed {seed}") ? 0 : 1;
        }

        Assert.True(rejected > 20, $"only {rejected} of 400 mutated files were rejected: the flips miss the structures");
    }

    [Fact]
    public async Task An_absurd_version_count_is_named_in_the_error()
    {
        var (bytes, dynamicOffset, tags) = await SampleWithDynamicAsync("/usr/sbin/ipvsadm");
        var index = tags.IndexOf("VERNEEDNUM");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(dynamicOffset + (index * 16) + 8), 0x7fffffff);
        var error = Assert.Throws<InvalidElfException>(() => ElfFile.Read(new MemoryStream(bytes), "bad-ipvsadm"));
        Assert.Contains("DT_VERNEEDNUM", error.Message, StringComparison.Ordinal);
        Assert.Equal("bad-ipvsadm", error.Input);
    }

    [Fact]
    public async Task A_string_index_outside_the_string_table_is_named_in_the_error()
    {
        var (bytes, dynamicOffset, tags) = await SampleWithDynamicAsync("/usr/sbin/ipvsadm");
        var index = tags.IndexOf("NEEDED");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(dynamicOffset + (index * 16) + 8), 0x7fffffff);
        var error = Assert.Throws<InvalidElfException>(() => ElfFile.Read(new MemoryStream(bytes), "bad-ipvsadm"));
        Assert.Contains("DT_NEEDED", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void A_program_header_table_past_the_end_is_named_in_the_error()
    {
        var bytes = Sample("/usr/sbin/ipvsadm");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32), 0x7fff_ffff_ffff_0000);
        var error = Assert.Throws<InvalidElfException>(() => ElfFile.Read(new MemoryStream(bytes), "bad-ipvsadm"));
        Assert.Contains("program header", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_elf_is_rejected_at_offset_0()
    {
        var error = Assert.Throws<InvalidElfException>(() => ElfFile.Read(new MemoryStream("#!/bin/sh\necho hi\n"u8.ToArray()), "script"));
        Assert.Contains("offset 0", error.Location, StringComparison.Ordinal);
    }

    /// <summary>True when the bytes parsed; false when they were rejected with InvalidElfException; anything else fails the test.</summary>
    private static bool Outcome(byte[] bytes, string what)
    {
        try
        {
            ElfFile.Read(new MemoryStream(bytes, writable: false), what);
            return true;
        }
        catch (InvalidElfException e)
        {
            Assert.Equal(what, e.Input);
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} instead of InvalidElfException: {e.Message}");
            throw;
        }
    }

    private static byte[] Sample(string path)
    {
        if (!File.Exists(path))
        {
            Requires.Missing($"{path} (Debian package ipvsadm) is not installed");
        }

        return File.ReadAllBytes(path);
    }

    private static async Task<(byte[] Bytes, int DynamicOffset, List<string> Tags)> SampleWithDynamicAsync(string path)
    {
        Requires.Tool("readelf");
        var report = await ReadelfReport.ReadAsync(path, TestContext.Current.CancellationToken);
        return (Sample(path), (int)report.DynamicOffset!.Value, [.. report.DynamicTags]);
    }
}
