using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.Debian;

/// <summary>Hostile .deb files, apt configuration reading, and version ordering against dpkg itself.</summary>
public sealed class DebianFormatTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-debfmt-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData("../escape")]
    [InlineData("./usr/../../escape")]
    [InlineData("/etc/passwd")]
    public void Entry_names_that_leave_the_root_are_refused(string name)
    {
        var deb = WriteDeb(tar => tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream("x"u8.ToArray()) }));
        var output = Path.Combine(_scratch, "out");
        var error = Assert.Throws<InvalidDebianInputException>(() => DebPackage.Open(deb).ExtractData(output));
        Assert.Contains(name, error.Location, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_scratch, "escape")));
    }

    [Fact]
    public void A_relative_symlink_climbing_above_the_root_is_refused()
    {
        var deb = WriteDeb(tar => tar.WriteEntry(new GnuTarEntry(TarEntryType.SymbolicLink, "./usr/lib/evil") { LinkName = "../../../../outside" }));
        var error = Assert.Throws<InvalidDebianInputException>(() => DebPackage.Open(deb).ExtractData(Path.Combine(_scratch, "out")));
        Assert.Contains("leaves the package root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_through_an_extracted_symlink_is_refused()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_scratch, "outside")).FullName;
        var deb = WriteDeb(tar =>
        {
            tar.WriteEntry(new GnuTarEntry(TarEntryType.SymbolicLink, "./etc") { LinkName = outside });
            tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "./etc/passwd") { DataStream = new MemoryStream("root::0:0\n"u8.ToArray()) });
        });
        var error = Assert.Throws<InvalidDebianInputException>(() => DebPackage.Open(deb).ExtractData(Path.Combine(_scratch, "out")));
        Assert.Contains("symlink", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public void Truncated_and_garbage_debs_give_typed_errors()
    {
        var deb = WriteDeb(tar => tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "./usr/bin/tool") { DataStream = new MemoryStream(new byte[5000]) }));
        var bytes = File.ReadAllBytes(deb);
        var rejected = 0;
        for (var length = 0; length < bytes.Length; length += 37)
        {
            var cut = Path.Combine(_scratch, $"cut-{length}.deb");
            File.WriteAllBytes(cut, bytes.AsSpan(0, length).ToArray());
            try
            {
                DebPackage.Open(cut).ExtractData(Path.Combine(_scratch, $"out-{length}"));
            }
            catch (InvalidDebianInputException)
            {
                rejected++;
            }
        }

        Assert.Equal((bytes.Length + 36) / 37, rejected);

        var garbage = Path.Combine(_scratch, "garbage.deb");
        File.WriteAllBytes(garbage, Encoding.ASCII.GetBytes("!<arch>\ndebian-binary   0           0     0     100644  99999999999`\n"));
        Assert.Throws<InvalidDebianInputException>(() => DebPackage.Open(garbage));
    }

    [Fact]
    public void The_mirror_comes_from_apt_configuration_in_either_format()
    {
        // Placeholder hosts under the reserved .test domain: no real mirror is named.
        var apt = Directory.CreateDirectory(Path.Combine(_scratch, "root", "etc", "apt", "sources.list.d")).FullName;
        File.WriteAllText(Path.Combine(apt, "extra.sources"), "Types: deb\nURIs: http://third-party.test/repo\nSuites: stable\nComponents: main\n\nTypes: deb\nURIs: http://archive.test/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
        File.WriteAllText(Path.Combine(apt, "debian.sources"), "# comment\nTypes: deb deb-src\nURIs: http://archive.test/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
        File.WriteAllText(Path.Combine(apt, "disabled.list.off"), "deb http://ignored.test/debian bookworm main\n");
        File.WriteAllText(Path.Combine(apt, "..", "sources.list"), "# deb http://commented.test/debian bookworm main\ndeb [arch=amd64 signed-by=/x.gpg] http://oneline.test/debian bullseye main\n");
        var sources = DebianMirror.AptSources(Path.Combine(_scratch, "root"));
        Assert.Equal(
            ["http://archive.test/debian", "http://oneline.test/debian", "http://archive.test/debian-security", "http://third-party.test/repo"],
            sources.Select(u => u.AbsoluteUri.TrimEnd('/')));
        Assert.Equal("http://explicit.test/debian/", DebianMirror.FromConfiguration("http://explicit.test/debian", Path.Combine(_scratch, "root"))!.ToString());
        if (Environment.GetEnvironmentVariable(DebianMirror.EnvironmentVariable) is null)
        {
            Assert.Null(DebianMirror.FromConfiguration(aptRoot: Path.Combine(_scratch, "empty")));
        }
    }

    [Fact]
    public async Task Version_ordering_agrees_with_dpkg()
    {
        var dpkg = Requires.Tool("dpkg");
        string[] versions = ["1.0", "1.0-1", "1.0-2", "1.0~rc1", "1.0~rc1-1", "1:0.9", "1.0.1", "1.0a", "1.0+b1", "2.36-9+deb12u4", "2.36-9+deb12u10", "2.31-13+deb11u5", "3.05-4~", "3.05-4", "0~", "1.31-1+b1", "1.00"];
        foreach (var a in versions)
        {
            foreach (var b in versions)
            {
                var less = (await ExternalTool.RunAsync(dpkg, ["--compare-versions", a, "lt", b], cancellationToken: TestContext.Current.CancellationToken)).ExitCode == 0;
                Assert.True(less == (DebianVersion.Compare(a, b) < 0), $"{a} < {b}: dpkg says {less}");
            }
        }
    }

    [Fact]
    public void Dependency_fields_parse_alternatives_versions_and_qualifiers()
    {
        var groups = DebianRelation.ParseList("libc6 (>= 2.34), libnl-3-200 (>= 3.2.7) | libnl-alt, python3:any [amd64] <!nocheck>, debconf (>= 0.5) | debconf-2.0");
        Assert.Equal(4, groups.Count);
        Assert.Equal(new DebianRelation("libc6", ">=", "2.34"), groups[0][0]);
        Assert.Equal(["libnl-3-200", "libnl-alt"], groups[1].Select(r => r.Name));
        Assert.Equal(new DebianRelation("python3", null, null), groups[2][0]);
    }

    /// <summary>A minimal .deb (ar: debian-binary, control.tar.gz, data.tar.gz) whose data tar is written by <paramref name="writeData"/>.</summary>
    private string WriteDeb(Action<TarWriter> writeData)
    {
        static byte[] TarGz(Action<TarWriter> write)
        {
            var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true))
            {
                write(tar);
            }

            return buffer.ToArray();
        }

        var control = TarGz(tar => tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "./control") { DataStream = new MemoryStream("Package: hostile\nVersion: 1\n"u8.ToArray()) }));
        var data = TarGz(writeData);
        var path = Path.Combine(_scratch, $"hostile-{Guid.NewGuid():N}.deb");
        using var output = File.Create(path);
        output.Write("!<arch>\n"u8);
        foreach (var (name, bytes) in new[] { ("debian-binary", "2.0\n"u8.ToArray()), ("control.tar.gz", control), ("data.tar.gz", data) })
        {
            output.Write(Encoding.ASCII.GetBytes($"{name,-16}{0,-12}{0,-6}{0,-6}{"100644",-8}{bytes.Length,-10}`\n"));
            output.Write(bytes);
            if (bytes.Length % 2 == 1)
            {
                output.WriteByte((byte)'\n');
            }
        }

        return path;
    }
}
