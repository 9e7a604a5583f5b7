using Boot2IsoKit.Formats.Elf;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Stages.Injection;
using Boot2IsoKit.Testing.Debian;
using Boot2IsoKit.Testing.Elf;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Injection;

/// <summary>ipvsadm from real Debian suites injected into targets made of real Debian libc packages.</summary>
public sealed class LibraryInjectorTests : IDisposable
{
    private static readonly string[] LibraryDirectories = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"];

    private readonly string _scratch = Directory.CreateTempSubdirectory("b2ik-inject-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task The_closure_of_ipvsadm_is_exactly_what_readelf_says_it_needs_recursively()
    {
        Requires.Tool("readelf");
        var donor = await DebianRoots.IpvsadmDonorAsync("bookworm", _scratch);
        var binary = DebianRoots.IpvsadmPath(donor);
        var closure = new LibrarySearch(new DirectoryRootfs(donor)).Closure(binary);

        // Independent walk: readelf's NEEDED lists, files looked up by name in the donor's library directories.
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>([Path.Combine(donor, binary.TrimStart('/'))]);
        while (pending.Count > 0)
        {
            foreach (var name in (await ReadelfReport.ReadAsync(pending.Dequeue(), TestContext.Current.CancellationToken)).Needed)
            {
                if (expected.Add(name))
                {
                    var file = LibraryDirectories.Select(d => Path.Combine(donor, d, name)).First(File.Exists);
                    pending.Enqueue(file);
                }
            }
        }

        Assert.Equal(expected, closure.Libraries.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.Contains("libnl-genl-3.so.200", expected);
        Assert.Contains("libpopt.so.0", expected);
        Assert.All(closure.Libraries, l => Assert.True(File.Exists(Path.Combine(donor, l.RealPath.TrimStart('/'))), l.RealPath));
    }

    [Fact]
    public async Task Bookworm_ipvsadm_on_a_bookworm_libc_adds_only_the_missing_libraries()
    {
        var donor = await DebianRoots.IpvsadmDonorAsync("bookworm", _scratch);
        var target = await DebianRoots.LibcTargetAsync("bookworm", _scratch);
        var binary = DebianRoots.IpvsadmPath(donor);
        var plan = LibraryInjector.Plan(new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donor),
            Binaries = [binary],
            Target = new DirectoryRootfs(target),
            Mode = InjectionMode.Closure,
            PackageName = "ipvsadm",
        });

        var closure = new LibrarySearch(new DirectoryRootfs(donor)).Closure(binary).Libraries.Select(l => l.Name).ToList();
        var inTarget = closure.Where(n => File.Exists(Path.Combine(target, "lib/x86_64-linux-gnu", n))).ToList();
        Assert.Contains("libc.so.6", inTarget);
        Assert.Equal(closure.Except(inTarget).Order(StringComparer.Ordinal), plan.Report.Added.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Equal(inTarget.Order(StringComparer.Ordinal), plan.Report.Reused.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal(InjectionMode.Closure, plan.Report.ModeUsed);

        var overlay = new RootfsOverlay();
        plan.AddTo(overlay);
        Assert.True(overlay.TryGet(binary, out var binaryEntry));
        Assert.Equal(0x1ED, binaryEntry.Permissions);
        Assert.Equal(new FileInfo(Path.Combine(donor, binary.TrimStart('/'))).Length, binaryEntry.Content!.Length);
        foreach (var added in plan.Report.Added)
        {
            // The real file lands beside the target's libc, and the soname is a symlink to it.
            Assert.StartsWith("/lib/x86_64-linux-gnu/", added.TargetPath, StringComparison.Ordinal);
            Assert.True(overlay.TryGet(added.TargetPath, out var file));
            Assert.Equal(RootfsEntryKind.File, file.Kind);
            Assert.True(overlay.TryGet("lib/x86_64-linux-gnu/" + added.Name, out var soname));
            Assert.Equal(Path.GetFileName(added.TargetPath), soname.LinkTarget);
        }

        Assert.False(overlay.TryGet("lib64", out _));
        Assert.DoesNotContain(overlay.Entries, e => e.Path.Contains("libc.so", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Trixie_ipvsadm_on_a_bullseye_libc_is_refused_with_the_versions_and_the_ways_out()
    {
        Requires.Tool("readelf");
        var donor = await DebianRoots.IpvsadmDonorAsync("trixie", _scratch);
        var target = await DebianRoots.LibcTargetAsync("bullseye", _scratch);
        var binary = DebianRoots.IpvsadmPath(donor);
        var request = new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donor),
            Binaries = [binary],
            Target = new DirectoryRootfs(target),
            Mode = InjectionMode.Closure,
            PackageName = "ipvsadm",
        };

        var error = Assert.Throws<LibraryCompatibilityException>(() => LibraryInjector.Plan(request));

        // The versions, as readelf sees them: what the trixie binary needs beyond what bullseye's libc defines.
        var needed = (await ReadelfReport.ReadAsync(Path.Combine(donor, binary.TrimStart('/')), TestContext.Current.CancellationToken))
            .VersionNeeds.Single(n => n.File == "libc.so.6").Versions;
        var targetLibc = await ReadelfReport.ReadAsync(Path.Combine(target, "lib/x86_64-linux-gnu/libc.so.6"), TestContext.Current.CancellationToken);
        var missing = needed.Except(targetLibc.VersionDefinitions.Select(d => d.Name)).ToList();
        Assert.NotEmpty(missing);
        foreach (var version in missing)
        {
            Assert.Contains($"{binary} needs {version} from libc.so.6", error.Message, StringComparison.Ordinal);
        }

        // Both glibc releases, as the libraries' own banners state them.
        Assert.Contains("glibc 2.31", error.Message, StringComparison.Ordinal);
        var donorLibc = Directory.EnumerateFiles(donor, "libc.so.6", SearchOption.AllDirectories).Single();
        var banner = System.Text.RegularExpressions.Regex.Match(
            System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(donorLibc, TestContext.Current.CancellationToken)),
            @"stable release version (\d+\.\d+)");
        Assert.True(banner.Success);
        Assert.NotEqual("2.31", banner.Groups[1].Value);
        Assert.Contains($"glibc {banner.Groups[1].Value}", error.Message, StringComparison.Ordinal);
        Assert.Contains("older donor suite", error.Message, StringComparison.Ordinal);
        Assert.Contains("static build", error.Message, StringComparison.Ordinal);
        Assert.Contains("bundled-loader mode", error.Message, StringComparison.Ordinal);
        Assert.All(error.Problems, p => Assert.Equal(LibraryProblemKind.MissingSymbolVersion, p.Kind));
        Assert.All(error.Problems, p => Assert.True(p.BundlingHelps));
    }

    [Fact]
    public async Task Auto_mode_does_not_bundle_a_binary_of_another_architecture()
    {
        // One donor root with Debian's multiarch layout: i386 ipvsadm (renamed) beside the amd64 one.
        var mirror = RequiresMirror.Get();
        var ct = TestContext.Current.CancellationToken;
        var donor = Path.Combine(_scratch, "donor-multiarch");
        var i386 = (await TestDebianSource.IndexAsync(mirror, "bookworm", "i386", ct)).Resolve(["ipvsadm"]).Packages;
        await TestDebianSource.Repository(mirror).ExtractAllAsync(i386, donor, cancellationToken: ct);
        var amd64Path = DebianRoots.IpvsadmPath(donor);
        var i386Path = amd64Path + "-i386";
        File.Move(Path.Combine(donor, amd64Path.TrimStart('/')), Path.Combine(donor, i386Path.TrimStart('/')));
        var amd64 = (await TestDebianSource.IndexAsync(mirror, "bookworm", cancellationToken: ct)).Resolve(["ipvsadm"]).Packages;
        await TestDebianSource.Repository(mirror).ExtractAllAsync(amd64, donor, cancellationToken: ct);
        var target = await DebianRoots.LibcTargetAsync("bookworm", _scratch);
        var request = new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donor),
            Binaries = [amd64Path, i386Path],
            Target = new DirectoryRootfs(target),
            Mode = InjectionMode.Auto,
            PackageName = "ipvsadm",
        };

        var error = Assert.Throws<LibraryCompatibilityException>(() => LibraryInjector.Plan(request));

        var wrong = Assert.Single(error.Problems, p => p.Kind == LibraryProblemKind.WrongArchitecture);
        Assert.False(wrong.BundlingHelps);
        Assert.Contains(i386Path, wrong.Text, StringComparison.Ordinal);
        Assert.Contains("wrong architecture", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not even bundled", error.Message, StringComparison.Ordinal); // closure mode's refusal: bundling was not tried
    }

    [Fact]
    public async Task Bundled_mode_ships_the_closure_with_libc_and_loader_behind_a_wrapper()
    {
        var donor = await DebianRoots.IpvsadmDonorAsync("trixie", _scratch);
        var target = await DebianRoots.LibcTargetAsync("bullseye", _scratch);
        var binary = DebianRoots.IpvsadmPath(donor);
        var plan = LibraryInjector.Plan(new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donor),
            Binaries = [binary],
            Target = new DirectoryRootfs(target),
            Mode = InjectionMode.Auto,
            PackageName = "ipvsadm",
        });

        Assert.Equal(InjectionMode.Bundled, plan.Report.ModeUsed);
        Assert.Contains(plan.Report.Notes, n => n.Contains("closure mode is not possible", StringComparison.Ordinal) && n.Contains("GLIBC_2.", StringComparison.Ordinal));
        var overlay = new RootfsOverlay();
        plan.AddTo(overlay);

        var closure = new LibrarySearch(new DirectoryRootfs(donor)).Closure(binary);
        foreach (var library in closure.Libraries.Select(l => l.Name).Append("ld-linux-x86-64.so.2").Append("libc.so.6"))
        {
            Assert.True(overlay.TryGet($"opt/b2ik/ipvsadm/lib/{library}", out var entry), library);
            using var stream = entry.Content!.OpenRead();
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.Equal(library, ElfFile.Read(copy, library).Soname);
        }

        Assert.True(overlay.TryGet("opt/b2ik/ipvsadm/bin/ipvsadm", out var bundled));
        Assert.Equal(0x1ED, bundled.Permissions);
        Assert.True(overlay.TryGet(binary, out var wrapper));
        Assert.Equal(0x1ED, wrapper.Permissions);
        using var reader = new StreamReader(wrapper.Content!.OpenRead());
        var script = reader.ReadToEnd();
        Assert.StartsWith("#!/bin/sh\n", script, StringComparison.Ordinal);
        Assert.Contains(
            "exec /opt/b2ik/ipvsadm/lib/ld-linux-x86-64.so.2 --inhibit-cache --library-path /opt/b2ik/ipvsadm/lib --argv0 \"$0\" /opt/b2ik/ipvsadm/bin/ipvsadm \"$@\"\n",
            script,
            StringComparison.Ordinal);
        Assert.DoesNotContain(overlay.Entries, e => e.Path.StartsWith("lib", StringComparison.Ordinal) || e.Path.StartsWith("usr/lib", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tiny_core_shaped_target_gets_the_lib64_link_and_libraries_beside_its_libc()
    {
        var donor = await DebianRoots.IpvsadmDonorAsync("bookworm", _scratch);
        var debianLibc = await DebianRoots.LibcTargetAsync("bookworm", _scratch);

        // Tiny Core keeps libc and the loader directly in /lib and has no /lib64.
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "tinycore", "lib")).Parent!.FullName;
        foreach (var name in new[] { "libc.so.6", "ld-linux-x86-64.so.2" })
        {
            File.Copy(Path.Combine(debianLibc, "lib/x86_64-linux-gnu", name), Path.Combine(target, "lib", name));
        }

        var binary = DebianRoots.IpvsadmPath(donor);
        var plan = LibraryInjector.Plan(new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donor),
            Binaries = [binary],
            Target = new DirectoryRootfs(target),
            Mode = InjectionMode.Closure,
            PackageName = "ipvsadm",
        });

        var link = Assert.Single(plan.Entries, e => e.Path == "lib64");
        Assert.Equal(RootfsEntryKind.Symlink, link.Kind);
        Assert.Equal("lib", link.LinkTarget);
        Assert.Contains(plan.Report.Notes, n => n.Contains("lib64 -> lib", StringComparison.Ordinal));
        Assert.All(plan.Report.Added, a => Assert.StartsWith("/lib/lib", a.TargetPath, StringComparison.Ordinal));
        Assert.Contains(plan.Report.Reused, r => r.Name == "libc.so.6" && r.TargetPath == "/lib/libc.so.6");
    }

    [Fact]
    public async Task A_target_without_the_interpreter_or_lib_dir_loader_is_refused()
    {
        var donor = await DebianRoots.IpvsadmDonorAsync("bookworm", _scratch);
        var debianLibc = await DebianRoots.LibcTargetAsync("bookworm", _scratch);
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "noloader", "lib")).Parent!.FullName;
        File.Copy(Path.Combine(debianLibc, "lib/x86_64-linux-gnu/libc.so.6"), Path.Combine(target, "lib/libc.so.6"));
        var request = new InjectionRequest
        {
            DonorRoot = new DirectoryRootfs(donor),
            Binaries = [DebianRoots.IpvsadmPath(donor)],
            Target = new DirectoryRootfs(target),
            Mode = InjectionMode.Closure,
            PackageName = "ipvsadm",
        };
        var error = Assert.Throws<LibraryCompatibilityException>(() => LibraryInjector.Plan(request));
        Assert.Contains("interpreter /lib64/ld-linux-x86-64.so.2", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Problems, p => p.Kind == LibraryProblemKind.MissingInterpreter);
    }

    [Fact]
    public void Wrapper_without_argv0_support_omits_the_option()
    {
        var script = LibraryInjector.WrapperScript("x", "/opt/b2ik/p/lib/ld.so", "/opt/b2ik/p/lib", "/opt/b2ik/p/bin/x", argv0: false);
        Assert.DoesNotContain("--argv0", script, StringComparison.Ordinal);
        Assert.EndsWith("exec /opt/b2ik/p/lib/ld.so --inhibit-cache --library-path /opt/b2ik/p/lib /opt/b2ik/p/bin/x \"$@\"\n", script, StringComparison.Ordinal);
    }
}
