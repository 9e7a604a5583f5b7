using System.Buffers.Binary;
using System.Text;
using Boot2IsoKit.Stages.Injection;
using Boot2IsoKit.Testing.Elf;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Injection;

/// <summary>The loader's search order inside a donor root: $ORIGIN runpath, ld.so.conf includes, default directories, symlinks kept inside the root.</summary>
public sealed class LibrarySearchTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-search-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Runpath_with_origin_and_ld_so_conf_includes_are_followed_like_ld_so()
    {
        Requires.Tool("readelf");
        var debian = await DebianRoots.IpvsadmDonorAsync("bookworm", _scratch);
        var root = Path.Combine(_scratch, "app-root");
        string Copy(string from, string to)
        {
            var destination = Path.Combine(root, to);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(Path.Combine(debian, from), destination);
            return destination;
        }

        var binary = Copy(DebianRoots.IpvsadmPath(debian).TrimStart('/'), "opt/app/bin/ipvsadm");
        await GiveOriginRunpathAsync(binary);
        Assert.Equal("$ORIGIN/../lib", (await ReadelfReport.ReadAsync(binary, TestContext.Current.CancellationToken)).RunPath);

        Copy("usr/lib/x86_64-linux-gnu/libpopt.so.0.0.2", "opt/app/lib/libpopt.so.0");
        Copy("lib/x86_64-linux-gnu/libnl-3.so.200", "usr/local/netlink/libnl-3.so.200");
        Copy("lib/x86_64-linux-gnu/libnl-genl-3.so.200", "usr/local/netlink/libnl-genl-3.so.200");
        Copy("lib/x86_64-linux-gnu/libc.so.6", "lib/x86_64-linux-gnu/libc.so.6");
        Copy("lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        Directory.CreateDirectory(Path.Combine(root, "etc/ld.so.conf.d"));
        File.WriteAllText(Path.Combine(root, "etc/ld.so.conf"), "# like Debian\ninclude /etc/ld.so.conf.d/*.conf\n");
        File.WriteAllText(Path.Combine(root, "etc/ld.so.conf.d/netlink.conf"), "/usr/local/netlink\n");

        // A symlinked executable: $ORIGIN is the directory of the real file, not of the link.
        Directory.CreateDirectory(Path.Combine(root, "usr/bin"));
        File.CreateSymbolicLink(Path.Combine(root, "usr/bin/app"), "../../opt/app/bin/ipvsadm");

        var search = new LibrarySearch(new DirectoryRootfs(root));
        Assert.Equal(["/usr/local/netlink"], search.ConfiguredDirectories);
        foreach (var start in new[] { "/opt/app/bin/ipvsadm", "/usr/bin/app" })
        {
            var found = search.Closure(start).Libraries.ToDictionary(l => l.Name, l => l.FoundPath);
            Assert.Equal("/opt/app/lib/libpopt.so.0", found["libpopt.so.0"]);
            Assert.Equal("/usr/local/netlink/libnl-3.so.200", found["libnl-3.so.200"]);
            Assert.Equal("/usr/local/netlink/libnl-genl-3.so.200", found["libnl-genl-3.so.200"]);
            Assert.Equal("/lib/x86_64-linux-gnu/libc.so.6", found["libc.so.6"]);
        }

        // Without the ld.so.conf entry the loader would not find libnl: neither do we, and we say what is missing.
        File.Delete(Path.Combine(root, "etc/ld.so.conf.d/netlink.conf"));
        var error = Assert.Throws<LibraryResolutionException>(() => new LibrarySearch(new DirectoryRootfs(root)).Closure("/opt/app/bin/ipvsadm"));
        Assert.Contains("libnl-", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symlinks_resolve_inside_the_donor_root_never_on_the_host()
    {
        var root = Directory.CreateDirectory(Path.Combine(_scratch, "donor")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "lib"));
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc/hostname"), "donor\n");
        File.CreateSymbolicLink(Path.Combine(root, "lib/climb"), "../../../../../../../../etc/hostname");
        File.CreateSymbolicLink(Path.Combine(root, "lib/absolute"), "/etc/hostname");
        File.CreateSymbolicLink(Path.Combine(root, "lib/hostonly"), "../../../../../../../../etc/os-release");
        File.CreateSymbolicLink(Path.Combine(root, "lib/loop"), "loop");
        var donor = new DirectoryRootfs(root);

        Assert.Equal("/etc/hostname", RootfsPathResolver.Resolve(donor, "/lib/climb"));
        Assert.Equal("/etc/hostname", RootfsPathResolver.Resolve(donor, "/lib/absolute"));
        Assert.True(File.Exists(Path.Combine(root, "lib/hostonly")), "the host follows the link out of the root");
        Assert.Null(RootfsPathResolver.Resolve(donor, "/lib/hostonly"));
        Assert.Null(RootfsPathResolver.Resolve(donor, "/lib/loop"));
    }

    /// <summary>
    /// Turns ipvsadm's DT_DEBUG entry into DT_RUNPATH "$ORIGIN/../lib", writing the string over a symbol
    /// name in .dynstr (the file is never run; only its dynamic section is read).
    /// </summary>
    private static async Task GiveOriginRunpathAsync(string path)
    {
        var report = await ReadelfReport.ReadAsync(path, TestContext.Current.CancellationToken);
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        var dynamic = (int)report.DynamicOffset!.Value;
        var tags = report.DynamicTags.ToList();
        var strtab = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(dynamic + (tags.IndexOf("STRTAB") * 16) + 8)); // first PT_LOAD maps offset == address
        var victim = Encoding.ASCII.GetBytes("\0__libc_start_main\0");
        var at = bytes.AsSpan(strtab).IndexOf(victim) + 1;
        Assert.True(at > 0, "no __libc_start_main in .dynstr");
        var runpath = Encoding.ASCII.GetBytes("$ORIGIN/../lib\0\0\0\0");
        runpath.CopyTo(bytes, strtab + at);
        var debug = dynamic + (tags.IndexOf("DEBUG") * 16);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(debug), 29);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(debug + 8), (ulong)at);
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
    }
}
