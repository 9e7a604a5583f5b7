using System.Globalization;
using System.Runtime.Versioning;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>
/// Builds one fixture ISO into a directory: Debian packages → busybox + glibc rootfs → legacy-lzma
/// newc initrd → ISO tree → xorriso, exactly the steps of boot2docker's make_iso.sh / make-b2d-iso.sh.
/// </summary>
internal sealed class FixtureBuilder(FixtureLayout layout, FixtureOptions options, string outputDirectory)
{
    public const string IsoFileName = "boot2docker.iso";
    public const string RootfsDirectoryName = "rootfs";
    public const string IsoTreeDirectoryName = "iso";

    /// <summary>All files get this mtime (2020-06-29, the last boot2docker release) so rebuilds are alike.</summary>
    private const long FixedEpoch = 1593388800;

    /// <summary>Where the padding files go in the rootfs (one folder per package).</summary>
    public const string PaddingDirectory = "opt/b2ik-padding";

    /// <summary>Debian packages whose ELF files pad a fixture (about 150 MB of them in all).</summary>
    private static readonly string[] PaddingPackages = ["cpp-12", "gcc-12", "gdb", "binutils-x86-64-linux-gnu", "qemu-system-x86"];

    private static readonly string[] NewLayoutModules = ["ldlinux.c32", "libutil.c32", "menu.c32"];

    private static readonly string[] LibcDirectories = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"];

    private static readonly string[] RequiredLibraries =
        ["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2"];

    /// <summary>
    /// The services boot2docker's boot scripts start, as Debian packages of the glibc suite with the
    /// libraries they load (listed by hand: apt's resolver would pull in perl through debconf): an sshd
    /// (dropbear), ext4 tools with /etc/mke2fs.conf (busybox's mke2fs makes ext2 only), sudo, and the
    /// iptables dockerd calls for its NAT and filter chains.
    /// </summary>
    private static readonly string[] ServicePackages =
    [
        "dropbear-bin", "libcrypt1", "libgmp10", "libtomcrypt1", "libtommath1", "zlib1g",
        "e2fsprogs", "libblkid1", "libcom-err2", "libext2fs2", "libss2", "libuuid1", "logsave",
        "sudo", "libpam0g", "libpam-modules", "libaudit1", "libcap-ng0", "libselinux1", "libpcre2-8-0",
        "iptables", "libip4tc2", "libip6tc2", "libmnl0", "libnetfilter-conntrack3", "libnfnetlink0", "libnftnl11", "libxtables12",
    ];

    /// <summary>
    /// The module trees a VM with a daemon needs (NIC, disks, CD, netfilter, bridge, veth, IPVS, overlay and what
    /// they depend on); the rest of the kernel's modules would only make the initrd slower to build and boot.
    /// </summary>
    private static readonly string[] ModuleSubtrees =
    [
        "kernel/drivers/virtio", "kernel/drivers/net", "kernel/drivers/block", "kernel/drivers/ata", "kernel/drivers/scsi",
        "kernel/drivers/cdrom", "kernel/net", "kernel/fs/overlayfs", "kernel/fs/isofs", "kernel/lib", "kernel/crypto", "kernel/arch",
    ];

    /// <summary>Documentation the service packages carry that a VM never reads.</summary>
    private static readonly string[] UnusedShareDirectories = ["doc", "man", "info", "locale", "lintian", "bug", "bash-completion"];

    private string Rootfs => Path.Combine(outputDirectory, RootfsDirectoryName);

    private string IsoTree => Path.Combine(outputDirectory, IsoTreeDirectoryName);

    private string Work => Path.Combine(outputDirectory, "work");

    public static string EngineVersionOf(FixtureLayout layout) => layout == FixtureLayout.New ? "19.03.12" : "18.06.1-ce";

    public static string VolumeIdOf(FixtureLayout layout) => "b2d-v" + EngineVersionOf(layout);

    /// <summary>Builds everything into the output directory and returns the glibc version; scratch files are removed.</summary>
    [SupportedOSPlatform("linux")]
    public async Task<string> BuildAsync(CancellationToken ct)
    {
        var packages = new DebianPackages(Work);
        var kernelPackage = await DebianPackages.NewestCloudKernelPackageAsync(ct).ConfigureAwait(false);
        var kernelDeb = await packages.DownloadAsync(kernelPackage, suite: null, ct).ConfigureAwait(false);
        var busyboxDeb = await packages.DownloadAsync("busybox-static", suite: null, ct).ConfigureAwait(false);
        var isolinuxDeb = await packages.DownloadAsync("isolinux", suite: null, ct).ConfigureAwait(false);
        var syslinuxDeb = await packages.DownloadAsync("syslinux-common", suite: null, ct).ConfigureAwait(false);
        var libcDeb = await packages.DownloadAsync("libc6", options.GlibcSuite, ct).ConfigureAwait(false);

        var unpacked = Path.Combine(Work, "unpacked");
        foreach (var deb in new[] { busyboxDeb, isolinuxDeb, syslinuxDeb, libcDeb })
        {
            await DebianPackages.ExtractAsync(deb, Path.Combine(unpacked, Path.GetFileNameWithoutExtension(deb).Split('_')[0]), ct).ConfigureAwait(false);
        }

        // The kernel image and its modules (a VM's NIC, disk and netfilter drivers are modules there).
        var kernelDirectory = Directory.CreateDirectory(Path.Combine(unpacked, "kernel")).FullName;
        await ExternalTool.RunCheckedAsync("sh", ["-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" --wildcards './boot/vmlinuz-*' './lib/modules/*'", "sh", kernelDeb, kernelDirectory], cancellationToken: ct).ConfigureAwait(false);
        var kernel = Directory.GetFiles(Path.Combine(kernelDirectory, "boot"), "vmlinuz-*").Single();
        var kernelRelease = Path.GetFileName(kernel)["vmlinuz-".Length..];

        var libcVersion = await DebianPackages.VersionOfAsync(libcDeb, ct).ConfigureAwait(false);
        var glibcVersion = UpstreamVersion(libcVersion);

        await BuildRootfsAsync(Path.Combine(unpacked, "busybox-static"), Path.Combine(unpacked, "libc6"), kernelRelease, ct).ConfigureAwait(false);
        if (options.PaddingMegabytes > 0)
        {
            await WritePaddingAsync(packages, Path.Combine(unpacked, "padding"), Path.Combine(Rootfs, PaddingDirectory), (long)options.PaddingMegabytes << 20, ct).ConfigureAwait(false);
        }

        await InstallServicesAsync(packages, Path.Combine(kernelDirectory, "lib", "modules", kernelRelease), kernelRelease, ct).ConfigureAwait(false);
        BuildIsoTree(kernel, Path.Combine(unpacked, "isolinux"), Path.Combine(unpacked, "syslinux-common"));
        await MakeInitrdAsync(ct).ConfigureAwait(false);
        await MakeIsoAsync(Path.Combine(unpacked, "isolinux", "usr", "lib", "ISOLINUX", "isohdpfx.bin"), ct).ConfigureAwait(false);

        Directory.Delete(Work, recursive: true);
        return glibcVersion;
    }

    [SupportedOSPlatform("linux")]
    private async Task BuildRootfsAsync(string busybox, string libc, string kernelRelease, CancellationToken ct)
    {
        var engineVersion = EngineVersionOf(layout);
        foreach (var directory in new[]
        {
            "bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin", "lib", "etc", "dev", "proc", "sys",
            "tmp", "run", "root", "home/docker", "opt", "mnt", "var/log", "var/lib/boot2docker", "lib/modules/" + kernelRelease,
            FixtureMarkers.TestScriptDirectory.TrimStart('/'),
        })
        {
            Directory.CreateDirectory(Path.Combine(Rootfs, directory));
        }

        await InstallBusyboxAsync(busybox, ct).ConfigureAwait(false);
        InstallGlibc(libc);
        if (options.Lib64Link)
        {
            // boot2docker's "horrible hack": binaries built on Debian look for /lib64/ld-linux-x86-64.so.2.
            File.CreateSymbolicLink(Path.Combine(Rootfs, "lib64"), "lib");
        }

        var build = layout == FixtureLayout.New ? "48a66213fe" : "e68fc7a";
        WriteText("etc/os-release", FixtureRootfsText.OsRelease(layout, engineVersion));
        WriteText("etc/motd", FixtureRootfsText.Motd);
        WriteText("etc/hostname", "boot2docker\n");
        WriteText("etc/passwd", FixtureRootfsText.Passwd);
        WriteText("etc/group", FixtureRootfsText.Group);
        WriteText("usr/local/bin/docker", FixtureRootfsText.DockerStandIn(engineVersion, build), executable: true);
        WriteText("init", FixtureInit.Script + "\n", executable: true);
        if (layout == FixtureLayout.Old)
        {
            WriteText("etc/version", engineVersion + "\n");
            WriteText("etc/boot2docker", FixtureRootfsText.BuildStamp + "\n");
        }
    }

    /// <summary>
    /// What boot2docker's boot scripts need beyond busybox: the kernel's modules (indexed with depmod),
    /// the service packages, their configuration, and the layout's boot scripts.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private async Task InstallServicesAsync(DebianPackages packages, string modules, string kernelRelease, CancellationToken ct)
    {
        var modulesTarget = Path.Combine(Rootfs, "lib", "modules", kernelRelease);
        foreach (var file in Directory.GetFiles(modules))
        {
            File.Copy(file, Path.Combine(modulesTarget, Path.GetFileName(file)));
        }

        foreach (var subtree in ModuleSubtrees.Where(t => Directory.Exists(Path.Combine(modules, t))))
        {
            var target = Path.Combine(modulesTarget, subtree);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await ExternalTool.RunCheckedAsync("cp", ["-a", Path.Combine(modules, subtree), target], cancellationToken: ct).ConfigureAwait(false);
        }

        // busybox's modprobe first hands a .ko.xz to finit_module, which this kernel refuses ("Invalid ELF header
        // magic") before busybox decompresses it itself: plain modules keep the console free of that noise.
        await ExternalTool.RunCheckedAsync("find", [modulesTarget, "-name", "*.ko.xz", "-exec", "xz", "-d", "{}", "+"], cancellationToken: ct).ConfigureAwait(false);
        await ExternalTool.RunCheckedAsync("depmod", ["-b", Rootfs, kernelRelease], cancellationToken: ct).ConfigureAwait(false);

        foreach (var deb in await packages.DownloadManyAsync(ServicePackages, options.GlibcSuite, ct).ConfigureAwait(false))
        {
            await DebianPackages.ExtractAsync(deb, Rootfs, ct).ConfigureAwait(false);
        }

        foreach (var unused in UnusedShareDirectories.Select(d => Path.Combine(Rootfs, "usr", "share", d)).Where(Directory.Exists))
        {
            Directory.Delete(unused, recursive: true);
        }

        // Debian's alternatives would point iptables at the nft backend; the legacy one needs fewer modules.
        foreach (var tool in new[] { "iptables", "ip6tables" })
        {
            foreach (var suffix in new[] { "", "-save", "-restore" })
            {
                var link = Path.Combine(Rootfs, "usr", "sbin", tool + suffix);
                File.Delete(link);
                File.CreateSymbolicLink(link, $"{tool}-legacy{suffix}");
            }
        }

        WriteText("etc/hosts", FixtureRootfsText.Hosts);
        // Tiny Core links it too; busybox's df and mount look a path's mount point up there.
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc", "mtab"), "/proc/mounts");
        WriteText("etc/shells", "/bin/sh\n");
        WriteText("etc/shadow", FixtureRootfsText.Shadow, mode: (UnixFileMode)0b110_000_000);
        WriteText("etc/sudoers", FixtureRootfsText.Sudoers, mode: (UnixFileMode)0b100_100_000);
        WriteText("etc/pam.d/sudo", FixtureRootfsText.SudoPam);
        WriteText("etc/inittab", FixtureBootScripts.Inittab(layout));
        foreach (var (path, script) in FixtureBootScripts.For(layout).Concat(FixtureBootScripts.Common))
        {
            WriteText(path, FixtureBootScripts.Text(script), executable: true);
        }

        if (layout == FixtureLayout.New)
        {
            // boot2docker's Dockerfile: "Docker expects to find certs in /etc/ssl" (etc/ssl -> ../usr/local/etc/ssl, the
            // ca-certificates extension's tree); bootsync.sh's certificates end up in the bundle there.
            Directory.CreateDirectory(Path.Combine(Rootfs, "usr", "local", "etc", "ssl", "certs"));
            File.CreateSymbolicLink(Path.Combine(Rootfs, "etc", "ssl"), "../usr/local/etc/ssl");
        }

        if (layout == FixtureLayout.Old)
        {
            // make_iso.sh links /etc/init.d/docker to the real script; bootscript.sh starts it through /etc/rc.d/docker.
            File.CreateSymbolicLink(Path.Combine(Rootfs, "etc", "init.d", "docker"), "/usr/local/etc/init.d/docker");
            WriteText("etc/rc.d/docker", "#!/bin/sh\n/usr/local/etc/init.d/docker start\n", executable: true);
        }
    }

    [SupportedOSPlatform("linux")]
    private async Task InstallBusyboxAsync(string busybox, CancellationToken ct)
    {
        var binary = Path.Combine(Rootfs, "bin", "busybox");
        File.Copy(Path.Combine(busybox, "bin", "busybox"), binary);
        File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);

        // The applet list comes from the host's installed busybox-static (the same Debian package, installed
        // by .ci/run): a downloaded binary is never executed on the build host.
        var list = await ExternalTool.RunCheckedAsync("busybox", ["--list-full"], cancellationToken: ct).ConfigureAwait(false);
        foreach (var applet in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var link = Path.Combine(Rootfs, applet);
            if (applet.Contains("..", StringComparison.Ordinal) || applet == "bin/busybox" || Path.Exists(link))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, "/bin/busybox");
        }
    }

    /// <summary>
    /// Puts glibc where Tiny Core has it: directly in <c>/lib</c> (loader <c>/lib/ld-linux-x86-64.so.2</c>),
    /// keeping the package's soname symlinks.
    /// </summary>
    private void InstallGlibc(string libc)
    {
        // bookworm and older ship glibc in /lib/x86_64-linux-gnu, trixie (merged /usr) in /usr/lib/x86_64-linux-gnu.
        var source = LibcDirectories
            .Select(d => Path.Combine(libc, d))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "libc.so.6")) || new FileInfo(Path.Combine(d, "libc.so.6")).LinkTarget is not null)
            ?? throw new InvalidOperationException($"libc6 of {options.GlibcSuite} has no libc.so.6 in {string.Join(" or ", LibcDirectories)}.");
        var lib = Path.Combine(Rootfs, "lib");
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var destination = Path.Combine(lib, entry.Name);
            if (entry.LinkTarget is { } target)
            {
                File.CreateSymbolicLink(destination, target);
            }
            else if (entry is FileInfo file)
            {
                file.CopyTo(destination);
            }
        }

        var missing = RequiredLibraries.Where(name => !File.Exists(Path.Combine(lib, name))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"libc6 of {options.GlibcSuite} lacks {string.Join(", ", missing)} in {source}.");
        }
    }

    private void BuildIsoTree(string kernel, string isolinux, string syslinux)
    {
        var bios = Path.Combine(syslinux, "usr", "lib", "syslinux", "modules", "bios");
        var isolinuxBin = Path.Combine(isolinux, "usr", "lib", "ISOLINUX", "isolinux.bin");
        var boot = Directory.CreateDirectory(Path.Combine(IsoTree, "boot")).FullName;
        if (layout == FixtureLayout.New)
        {
            File.Copy(kernel, Path.Combine(boot, "vmlinuz"));
            var config = Directory.CreateDirectory(Path.Combine(IsoTree, "isolinux")).FullName;
            File.Copy(isolinuxBin, Path.Combine(config, "isolinux.bin"));
            foreach (var module in NewLayoutModules)
            {
                File.Copy(Path.Combine(bios, module), Path.Combine(config, module));
            }

            File.WriteAllText(Path.Combine(config, "isolinux.cfg"), FixtureRootfsText.NewIsolinuxCfg);
        }
        else
        {
            File.Copy(kernel, Path.Combine(boot, "vmlinuz64"));
            var config = Directory.CreateDirectory(Path.Combine(boot, "isolinux")).FullName;
            File.Copy(isolinuxBin, Path.Combine(config, "isolinux.bin"));
            // Legacy boot2docker shipped a syslinux 4 isolinux.bin alone; syslinux 6 also needs ldlinux.c32.
            File.Copy(Path.Combine(bios, "ldlinux.c32"), Path.Combine(config, "ldlinux.c32"));
            File.WriteAllText(Path.Combine(config, "isolinux.cfg"), FixtureRootfsText.OldIsolinuxCfg);
            File.WriteAllText(Path.Combine(config, "boot.msg"), FixtureRootfsText.OldBootMessage);
            File.WriteAllText(Path.Combine(IsoTree, "version"), EngineVersionOf(layout) + "\n");
        }
    }

    /// <summary>boot2docker's initrd: <c>find | cpio -o -H newc | xz -9 --format=lzma</c>, owner root, fixed mtimes, sorted names.</summary>
    private Task<ToolResult> MakeInitrdAsync(CancellationToken ct)
    {
        const string Script = """
            set -e
            cd "$1"
            find . -exec touch -h -d "@$3" {} +
            find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible | xz -9 --format=lzma > "$2"
            """;
        var initrd = Path.Combine(IsoTree, "boot", "initrd.img");
        return ExternalTool.RunCheckedAsync("sh", ["-c", Script, "sh", Rootfs, initrd, FixedEpoch.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromMinutes(30), cancellationToken: ct);
    }

    private async Task MakeIsoAsync(string isohybridMbr, CancellationToken ct)
    {
        var iso = Path.Combine(outputDirectory, IsoFileName);
        // Same options as boot2docker's make-b2d-iso.sh (new) and make_iso.sh (legacy).
        string[] arguments = layout == FixtureLayout.New
            ?
            [
                "-as", "mkisofs", "-o", iso, "-A", "Boot2Docker", "-V", VolumeIdOf(layout),
                "-isohybrid-mbr", isohybridMbr, "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
                "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table", IsoTree,
            ]
            :
            [
                "-publisher", "Docker Inc.", "-as", "mkisofs", "-l", "-J", "-R", "-V", VolumeIdOf(layout),
                "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
                "-b", "boot/isolinux/isolinux.bin", "-c", "boot/isolinux/boot.cat",
                "-isohybrid-mbr", isohybridMbr, "-o", iso, IsoTree,
            ];
        var environment = new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = FixedEpoch.ToString(CultureInfo.InvariantCulture) };
        var result = await ExternalTool.RunAsync("xorriso", arguments, environment: environment, cancellationToken: ct).ConfigureAwait(false);
        result.EnsureSuccess();
    }

    [SupportedOSPlatform("linux")]
    private void WriteText(string relativePath, string text, bool executable = false, UnixFileMode? mode = null)
    {
        var path = Path.Combine(Rootfs, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode ?? (executable ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100));
    }

    /// <summary>
    /// Real ELF programs and libraries from Debian packages (a compiler, a debugger, an emulator: files of
    /// 1 to 35 MB, like the engine binaries a boot2docker rootfs carries), so the initrd compresses like a
    /// real one. Files are taken in package and path order while they fit in the budget: the same set
    /// for the same package versions.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static async Task WritePaddingAsync(DebianPackages packages, string unpacked, string target, long budget, CancellationToken ct)
    {
        var total = 0L;
        foreach (var package in PaddingPackages)
        {
            var deb = await packages.DownloadAsync(package, suite: null, ct).ConfigureAwait(false);
            var root = Path.Combine(unpacked, package);
            await DebianPackages.ExtractAsync(deb, root, ct).ConfigureAwait(false);
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                if (info.LinkTarget is not null || total + info.Length > budget || !IsElf(file))
                {
                    continue;
                }

                var copy = Path.Combine(target, package, Path.GetRelativePath(root, file));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
                File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
                total += info.Length;
            }

            Directory.Delete(root, recursive: true);
        }

        if (total == 0)
        {
            throw new InvalidOperationException($"no ELF file of the padding packages ({string.Join(", ", PaddingPackages)}) fits in {budget} bytes");
        }
    }

    private static bool IsElf(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("\u007FELF"u8);
    }

    /// <summary>"2.31-13+deb11u11" → "2.31".</summary>
    internal static string UpstreamVersion(string debianVersion)
    {
        var withoutEpoch = debianVersion[(debianVersion.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var dash = withoutEpoch.LastIndexOf('-');
        return dash < 0 ? withoutEpoch : withoutEpoch[..dash];
    }
}
