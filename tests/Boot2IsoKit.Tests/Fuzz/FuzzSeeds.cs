using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Boot2IsoKit.Formats.Elf;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Formats.Iso9660.Building;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;
using SharpCompress.Compressors.LZMA;

namespace Boot2IsoKit.Tests.Fuzz;

/// <summary>
/// Valid inputs for each reader, generated in code (or read from the host for ELF) so nothing large is
/// stored. Each seed uses the features its format's reader has the most code for.
/// </summary>
internal static class FuzzSeeds
{
    private const int Block = 2048;

    public static IReadOnlyList<FuzzSeed> Iso() =>
    [
        IsoSeed("rockridge-eltorito", rockRidge: true, joliet: false, boot: true),
        IsoSeed("joliet", rockRidge: false, joliet: true, boot: false),
    ];

    /// <summary>A small image: long names (Rock Ridge continuation areas), nesting, a symlink, optionally El Torito.</summary>
    public static FuzzSeed IsoSeed(string name, bool rockRidge, bool joliet, bool boot)
    {
        var builder = new IsoBuilder
        {
            VolumeId = "FUZZ",
            Timestamp = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
            UseRockRidge = rockRidge,
            UseJoliet = joliet,
        };
        builder.AddFile("file.txt", BytesContent.FromText("hello\n", "file"));
        builder.AddFile(new string('n', 150), BytesContent.FromText("long", "long"));
        builder.AddFile("dir/inner/leaf", BytesContent.FromText("leaf", "leaf"));
        builder.AddFile("dir/block", new BytesContent(new byte[Block + 1], "block"));
        if (rockRidge)
        {
            builder.AddSymlink("link", "file.txt");
        }

        if (boot)
        {
            builder.AddFile("isolinux/isolinux.bin", new BytesContent(new byte[Block * 2], "boot"));
            builder.ElToritoBoot = new ElToritoBootOptions("isolinux/isolinux.bin");
        }

        using var output = new MemoryStream();
        builder.Build(output, cancellationToken: TestContext.Current.CancellationToken);
        var image = output.ToArray();

        // The volume descriptors, path tables and directories sit between block 16 and a few blocks past the root directory.
        var rootLba = (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan((16 * Block) + 156 + 2));
        var metadataEnd = Math.Min(image.Length, (rootLba + 8) * Block);
        return new FuzzSeed(name, image, [new FuzzRegion(16 * Block, metadataEnd - (16 * Block))]);
    }

    public static IReadOnlyList<FuzzSeed> Cpio() => [new FuzzSeed("newc", CpioArchive("19.03.12"))];

    /// <summary>Directories, files (empty, unaligned sizes), a symlink, a 070702 checksummed file and a hard-linked pair.</summary>
    public static byte[] CpioArchive(string version)
    {
        using var buffer = new MemoryStream();
        using (var writer = new CpioWriter(buffer, leaveOpen: true))
        {
            writer.Write(RootfsEntry.Directory("etc"));
            writer.Write(RootfsEntry.File("etc/os-release", BytesContent.FromText("NAME=Fuzz\nVERSION_ID=1\n", "os-release")));
            writer.Write(RootfsEntry.File("etc/version", BytesContent.FromText(version + "\n", "version")));
            writer.Write(RootfsEntry.File("etc/empty", BytesContent.FromText("", "empty")));
            writer.Write(RootfsEntry.Symlink("etc/issue", "os-release"));
            var payload = "checked\n"u8.ToArray();
            writer.WriteHeader(
                new CpioHeader { Name = "etc/checked", Mode = 0x81A4, Inode = 100, FileSize = payload.Length, HasChecksum = true, Checksum = (uint)payload.Sum(b => b) },
                new MemoryStream(payload));
            writer.WriteHeader(new CpioHeader { Name = "etc/hard-a", Mode = 0x81A4, Inode = 101, LinkCount = 2 }, (Stream?)null);
            writer.WriteHeader(new CpioHeader { Name = "etc/hard-b", Mode = 0x81A4, Inode = 101, LinkCount = 2, FileSize = 5 }, new MemoryStream("hard\n"u8.ToArray()));
            writer.WriteTrailer();
        }

        return buffer.ToArray();
    }

    /// <summary>The member kinds the initrd reader decodes, alone and one after the other as the kernel reads them.</summary>
    public static IReadOnlyList<FuzzSeed> Initrd()
    {
        var first = CpioArchive("19.03.12");
        var second = CpioArchive("20.10.24");
        var padded = new byte[(first.Length + 511) / 512 * 512];
        first.CopyTo(padded, 0);
        return
        [
            new FuzzSeed("plain", first),
            new FuzzSeed("gzip", Gzip(first)),
            new FuzzSeed("lzma", Lzma(first)),
            new FuzzSeed("plain+gzip", [.. padded, .. Gzip(second)]),
        ];
    }

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    /// <summary>Legacy .lzma as the kernel reads it: 5 property bytes, a 64-bit size of -1 (streamed), the stream.</summary>
    public static byte[] Lzma(byte[] data)
    {
        using var compressed = new MemoryStream();
        byte[] properties;
        using (var lzma = LzmaStream.Create(new LzmaEncoderProperties(true, 1 << 16), false, compressed))
        {
            properties = lzma.Properties;
            lzma.Write(data);
        }

        return [.. properties, .. BitConverter.GetBytes(-1L), .. compressed.ToArray()];
    }

    /// <summary>The host's /bin/true and its dynamic loader (which has version definitions); mutations aim at headers and the dynamic section.</summary>
    public static IReadOnlyList<FuzzSeed> Elf()
    {
        const string program = "/bin/true";
        if (!File.Exists(program))
        {
            Requires.Missing($"{program} is needed as an ELF seed");
        }

        var seeds = new List<FuzzSeed> { ElfSeed("true", File.ReadAllBytes(program)) };
        if (ElfFile.Read(program).Interpreter is { } loader && File.Exists(loader))
        {
            seeds.Add(ElfSeed("ld.so", File.ReadAllBytes(loader)));
        }

        return seeds;
    }

    private static FuzzSeed ElfSeed(string name, byte[] bytes)
    {
        var focus = new List<FuzzRegion> { new(0, Math.Min(bytes.Length, 8192)) };

        // ELF64 little-endian program headers (the host's format): aim at PT_DYNAMIC's bytes too.
        var phoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(32));
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(54));
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(56));
        for (var i = 0; i < phnum; i++)
        {
            var header = bytes.AsSpan(phoff + (i * phentsize));
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) == 2)
            {
                focus.Add(new FuzzRegion((int)BinaryPrimitives.ReadUInt64LittleEndian(header[8..]), (int)BinaryPrimitives.ReadUInt64LittleEndian(header[32..])));
            }
        }

        return new FuzzSeed(name, bytes, focus);
    }

    /// <summary>
    /// Two packages: one with an uncompressed GNU data.tar (mutations hit tar headers directly) and one with
    /// a gzip'd pax data.tar. Both hold directories, files, a relative and an absolute symlink and a hard link.
    /// </summary>
    public static IReadOnlyList<FuzzSeed> Deb() =>
    [
        new FuzzSeed("gnu-tar", DebPackageBytes(TarEntryFormat.Gnu, compressData: false)),
        new FuzzSeed("pax-tar-gz", DebPackageBytes(TarEntryFormat.Pax, compressData: true)),
    ];

    /// <summary>Engine tarballs of both eras' shapes (docker/… since 1.11, usr/local/bin/docker before), as plain tars.</summary>
    public static IReadOnlyList<FuzzSeed> Engine() =>
    [
        new FuzzSeed("docker-dir-gnu", Tar(TarEntryFormat.Gnu,
        [
            Entry(TarEntryFormat.Gnu, TarEntryType.Directory, "docker/"),
            TarFile(TarEntryFormat.Gnu, "docker/docker", "#!/bin/sh\necho docker\n"),
            TarFile(TarEntryFormat.Gnu, "docker/dockerd", "#!/bin/sh\necho dockerd\n"),
            Entry(TarEntryFormat.Gnu, TarEntryType.SymbolicLink, "docker/docker-alias", "docker"),
        ])),
        new FuzzSeed("usr-local-bin-pax", Tar(TarEntryFormat.Pax,
        [
            Entry(TarEntryFormat.Pax, TarEntryType.Directory, "usr/"),
            Entry(TarEntryFormat.Pax, TarEntryType.Directory, "usr/local/"),
            Entry(TarEntryFormat.Pax, TarEntryType.Directory, "usr/local/bin/"),
            TarFile(TarEntryFormat.Pax, "usr/local/bin/docker", "#!/bin/sh\necho docker 1.10\n"),
        ])),
    ];

    public static byte[] DebPackageBytes(TarEntryFormat format, bool compressData)
    {
        var control = Tar(TarEntryFormat.Gnu, [TarFile(TarEntryFormat.Gnu, "./control", "Package: fuzz\nVersion: 1.0-1\nArchitecture: amd64\nDescription: fuzz seed\n")]);
        var data = Tar(format,
        [
            Entry(format, TarEntryType.Directory, "./"),
            Entry(format, TarEntryType.Directory, "./usr/"),
            Entry(format, TarEntryType.Directory, "./usr/bin/"),
            TarFile(format, "./usr/bin/tool", "#!/bin/sh\necho tool\n"),
            Entry(format, TarEntryType.SymbolicLink, "./usr/bin/alias", "tool"),
            Entry(format, TarEntryType.HardLink, "./usr/bin/copy", "./usr/bin/tool"),
            Entry(format, TarEntryType.Directory, "./etc/"),
            TarFile(format, "./etc/tool.conf", "setting=1\n"),
            TarFile(format, "./usr/bin/" + new string('l', 120), "a name over 100 bytes: a GNU long name or pax path record\n"),
            Entry(format, TarEntryType.SymbolicLink, "./etc/alternative", "/usr/bin/tool"),
        ]);
        return Ar(
            ("debian-binary", "2.0\n"u8.ToArray()),
            ("control.tar.gz", Gzip(control)),
            (compressData ? "data.tar.gz" : "data.tar", compressData ? Gzip(data) : data));
    }

    public static byte[] Tar(TarEntryFormat format, IEnumerable<TarEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, format, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                tar.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }

    public static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name, string? link = null)
    {
        TarEntry entry = format == TarEntryFormat.Gnu ? new GnuTarEntry(type, name) : new PaxTarEntry(type, name);
        entry.Mode = type == TarEntryType.Directory ? (UnixFileMode)0x1ED : (UnixFileMode)0x1A4;
        entry.ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        if (link is not null)
        {
            entry.LinkName = link;
        }

        return entry;
    }

    public static TarEntry TarFile(TarEntryFormat format, string name, string text)
    {
        var entry = Entry(format, TarEntryType.RegularFile, name);
        entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return entry;
    }

    /// <summary>A System V ar archive as dpkg-deb writes it: 60-byte text headers, data padded to even length with '\n'.</summary>
    public static byte[] Ar(params (string Name, byte[] Data)[] members)
    {
        using var buffer = new MemoryStream();
        buffer.Write("!<arch>\n"u8);
        foreach (var (name, data) in members)
        {
            var header = $"{name,-16}{"0",-12}{"0",-6}{"0",-6}{"100644",-8}{data.Length,-10}`\n";
            buffer.Write(Encoding.ASCII.GetBytes(header));
            buffer.Write(data);
            if (data.Length % 2 == 1)
            {
                buffer.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Small images from mksquashfs (the format has no writer here): 4 KiB blocks as Tiny Core uses, with
    /// gzip, with xz, and with every table stored uncompressed so mutations hit the structures themselves; lz4 (128 KiB
    /// blocks) and zstd, so every decoder that mksquashfs can feed meets broken blocks.
    /// Mutations aim at the superblock and the tables after the data.
    /// </summary>
    public static IReadOnlyList<FuzzSeed> Squashfs()
    {
        Requires.Tools("mksquashfs", "ln");
        var temp = Directory.CreateTempSubdirectory("b2ik-fuzz-squashfs-").FullName;
        try
        {
            var source = Path.Combine(temp, "src");
            Directory.CreateDirectory(Path.Combine(source, "usr", "local", "bin"));
            Directory.CreateDirectory(Path.Combine(source, "usr", "local", "tce.installed"));
            Directory.CreateDirectory(Path.Combine(source, "empty"));
            File.WriteAllText(Path.Combine(source, "usr", "local", "bin", "tool"), "#!/bin/sh\necho tool\n");
            File.WriteAllText(Path.Combine(source, "usr", "local", "tce.installed", "tool"), "#!/bin/sh\ntouch /tmp/tool-installed\n");
            File.WriteAllBytes(Path.Combine(source, "usr", "local", "bin", "blocks"), [.. Enumerable.Range(0, 9000).Select(i => (byte)(i * 7 % 251))]);
            File.WriteAllBytes(Path.Combine(source, "zeros"), new byte[8192 + 100]);
            File.CreateSymbolicLink(Path.Combine(source, "usr", "local", "bin", "alias"), "tool");
            for (var i = 0; i < 40; i++)
            {
                File.WriteAllText(Path.Combine(source, "usr", "local", $"file-{i:D2}"), $"{i}\n");
            }

            ExternalTool.RunCheckedAsync("ln", [Path.Combine(source, "usr", "local", "file-00"), Path.Combine(source, "usr", "local", "hard")]).GetAwaiter().GetResult();
            string[] pseudo = ["-p", "dev d 755 0 0", "-p", "dev/null c 666 0 0 1 3", "-p", "dev/fifo i 644 70000 70000 f"];
            return
            [
                SquashfsSeed(temp, source, "gzip-4k", ["-comp", "gzip", "-b", "4K", .. pseudo]),
                SquashfsSeed(temp, source, "xz-4k", ["-comp", "xz", "-b", "4K", .. pseudo]),
                SquashfsSeed(temp, source, "uncompressed-4k", ["-b", "4K", "-noI", "-noD", "-noF", "-noId", .. pseudo]),
                // The other decoders the reader claims get hostile blocks too (extensions in the wild use them).
                SquashfsSeed(temp, source, "lz4-128k", ["-comp", "lz4", "-b", "128K", .. pseudo]),
                SquashfsSeed(temp, source, "zstd-4k", ["-comp", "zstd", "-b", "4K", .. pseudo]),
            ];
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static FuzzSeed SquashfsSeed(string temp, string source, string name, string[] options)
    {
        var image = Path.Combine(temp, name + ".tcz");
        ExternalTool.RunCheckedAsync("mksquashfs", [source, image, "-noappend", "-no-progress", "-quiet", "-mkfs-time", "1700000000", "-all-time", "1700000000", .. options])
            .GetAwaiter().GetResult();
        var bytes = File.ReadAllBytes(image);
        var inodeTable = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(64));
        return new FuzzSeed(name, bytes, [new FuzzRegion(0, 96), new FuzzRegion(inodeTable, bytes.Length - inodeTable)]);
    }

    /// <summary>
    /// docker-load archives as a build bakes them: one with a gzip layer, one with two uncompressed layers (one of them
    /// twice, as empty layers are), each with a config whose diff IDs match. Mutations aim at the whole file.
    /// </summary>
    public static IReadOnlyList<FuzzSeed> DockerArchive()
    {
        var temp = Directory.CreateTempSubdirectory("b2ik-fuzz-docker-archive-").FullName;
        try
        {
            return [DockerArchiveSeed(temp, "gzip-layer", gzip: true, layers: 1), DockerArchiveSeed(temp, "plain-layers", gzip: false, layers: 2)];
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static FuzzSeed DockerArchiveSeed(string temp, string name, bool gzip, int layers) =>
        new(name, File.ReadAllBytes(TestImages.WriteArchive(temp, $"fuzz/{name}:1", gzip, layers)));

    /// <summary>The real experimental recipe and a compact one using the other keys (local ISO, engine URL, host package).</summary>
    public static IReadOnlyList<FuzzSeed> Recipe() =>
    [
        new FuzzSeed("experimental", File.ReadAllBytes(Path.Combine(RepositoryRoot.Find(), "recipes", "experimental.yml"))),
        new FuzzSeed("compact", Encoding.UTF8.GetBytes(
            "name: compact-1\n"
            + "base: {iso: base.iso, repository: owner/name}\n"
            + "engine:\n  version: 17.06.0-ce\n  url: https://engines.test/docker.tgz\n  sha256: " + new string('a', 64) + "\n"
            + "label: upstream-tag\nvolume-id: B2D-COMPACT\n"
            + "packages:\n  - host: /usr/sbin/ipvsadm\n    binaries: [/usr/sbin/ipvsadm]\n    mode: bundled\n"
            + "initrd: merge\ndebian: {mirror: http://mirror.test/debian}\n")),
    ];
}
