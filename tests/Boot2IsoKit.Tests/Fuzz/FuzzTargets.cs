using System.Text;
using Boot2IsoKit.Formats.DockerArchive;
using Boot2IsoKit.Formats.Elf;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.Squashfs;
using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Tests.Fuzz;

/// <summary>
/// The readers under fuzz and what counts as a typed error for each: the exception the reader documents
/// for bad input, carrying the input name it was given (so the user is told which file is broken).
/// </summary>
internal static class FuzzTargets
{
    public static readonly FuzzTarget Iso = new(
        "iso",
        nameof(InvalidIsoException),
        e => e is InvalidIsoException { Input: "fuzz.iso" },
        ReadIso);

    public static readonly FuzzTarget Cpio = new(
        "cpio",
        nameof(InvalidCpioException),
        e => e is InvalidCpioException { Input: "fuzz.cpio" },
        ReadCpio);

    public static readonly FuzzTarget Initrd = new(
        "initrd",
        nameof(InvalidCpioException),
        e => e is InvalidCpioException { Input: "fuzz.initrd" },
        ReadInitrd);

    public static readonly FuzzTarget Elf = new(
        "elf",
        nameof(InvalidElfException),
        e => e is InvalidElfException { Input: "fuzz.elf" },
        ReadElf);

    /// <summary>The error names the package file (plus "!member" for errors inside a member).</summary>
    public static readonly FuzzTarget Deb = new(
        "deb",
        nameof(InvalidDebianInputException),
        e => e is InvalidDebianInputException d && d.Input.Contains("fuzz.deb", StringComparison.Ordinal),
        ReadDeb);

    /// <summary>
    /// The engine tgz reader (user-supplied or downloaded): seeds are plain tars, gzip'd here so mutations
    /// hit the tar headers; an input that already is gzip (a kept corpus file) is used as it is.
    /// </summary>
    public static readonly FuzzTarget Engine = new(
        "engine",
        nameof(InvalidEngineTarballException),
        e => e is InvalidEngineTarballException t && t.Input.EndsWith("fuzz.tgz", StringComparison.Ordinal),
        ReadEngine);

    /// <summary>Recipe errors always carry a line (the user edits the file at that line).</summary>
    public static readonly FuzzTarget Recipe = new(
        "recipe",
        nameof(RecipeException),
        e => e is RecipeException r && r.Message.StartsWith("fuzz.yml: line ", StringComparison.Ordinal),
        ReadRecipe);

    public static readonly FuzzTarget Squashfs = new(
        "squashfs",
        nameof(InvalidSquashfsException),
        e => e is InvalidSquashfsException { Input: "fuzz.tcz" },
        ReadSquashfs);

    public static readonly FuzzTarget DockerArchive = new(
        "docker-archive",
        nameof(InvalidDockerArchiveException),
        e => e is InvalidDockerArchiveException { Input: "fuzz.tar" },
        ReadDockerArchive);

    public static readonly IReadOnlyDictionary<string, FuzzTarget> ByName =
        new[] { Iso, Cpio, Initrd, Elf, Deb, Engine, Recipe, Squashfs, DockerArchive }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    private static string ReadIso(byte[] bytes)
    {
        using var image = IsoImage.Open(new MemoryStream(bytes, writable: false), "fuzz.iso");
        var files = 0;
        foreach (var node in image.Root.Descendants())
        {
            if (!ReferenceEquals(image.Find(node.Path), node))
            {
                throw new FuzzInvariantException($"the tree lists {node.Path} but Find does not return it");
            }

            if (node.Kind == IsoNodeKind.File)
            {
                using var data = image.OpenFile(node);
                if (data.CopyToCounting() != node.Size)
                {
                    throw new FuzzInvariantException($"{node.Path} reads a different length than its size {node.Size}");
                }

                files++;
            }
        }

        return $"{files} files, volume {image.VolumeId}";
    }

    private static string ReadCpio(byte[] bytes)
    {
        using var reader = new CpioReader(new MemoryStream(bytes, writable: false), "fuzz.cpio");
        var entries = 0;
        while (reader.MoveNext())
        {
            CheckRootfsPath(reader.Current!.Name);
            using var data = reader.OpenEntryStream();
            var length = data.CopyToCounting();
            if (reader.Current.Kind == RootfsEntryKind.File && length != reader.Current.FileSize)
            {
                throw new FuzzInvariantException($"{reader.Current.Name} reads {length} bytes, its header says {reader.Current.FileSize}");
            }

            entries++;
        }

        return $"{entries} entries";
    }

    private static string ReadInitrd(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var contents = new InitrdReader(stream, "fuzz.initrd").ReadContents();
        foreach (var entry in contents.Entries)
        {
            CheckRootfsPath(entry.Path);
        }

        // The derived views parse file contents (os-release, version): they must cope with garbage too.
        return $"{contents.Members.Count} members, {contents.Entries.Count} entries, {contents.OsRelease.Count} os-release keys, version {contents.Version}";
    }

    private static string ReadElf(byte[] bytes)
    {
        var elf = ElfFile.Read(new MemoryStream(bytes, writable: false), "fuzz.elf");
        return $"{elf.ArchitectureDescription} {elf.Type}, interpreter {elf.Interpreter}, needs {string.Join(',', elf.Needed)}, "
            + $"{elf.VersionNeeds.Count} version needs, {elf.VersionDefinitions.Count} version definitions";
    }

    /// <summary>Checks the archive as a build would before baking it: every image with its config and layers.</summary>
    private static string ReadDockerArchive(byte[] bytes)
    {
        var images = DockerArchiveReader.Read(new MemoryStream(bytes, writable: false), "fuzz.tar");
        return $"{images.Count} images, {images.Sum(i => i.Layers.Count)} layers";
    }

    /// <summary>Opens the image (the whole tree) and reads every file through its rootfs entry, as the overlay writer would.</summary>
    private static string ReadSquashfs(byte[] bytes)
    {
        using var image = SquashfsImage.Open(new MemoryStream(bytes, writable: false), "fuzz.tcz");
        var entries = image.ToRootfsEntries("fuzz");
        foreach (var entry in entries)
        {
            CheckRootfsPath(entry.Path);
            if (entry.Content is { } content)
            {
                using var data = content.OpenRead();
                if (data.CopyToCounting() != content.Length)
                {
                    throw new FuzzInvariantException($"{entry.Path} reads a different length than its size {content.Length}");
                }
            }
        }

        return $"{entries.Count} entries, {image.Superblock.Compression}";
    }

    private static string ReadRecipe(byte[] bytes) =>
        RecipeLoader.Load(Encoding.UTF8.GetString(bytes), "fuzz.yml").Name;

    private static string ReadDeb(byte[] bytes) => ExtractContained("fuzz.deb", bytes, (package, output) =>
    {
        var deb = DebPackage.Open(package);
        var control = deb.ReadControl();
        var written = deb.ExtractData(output);
        return $"{control.FieldNames.Count()} control fields, {written.Count} entries";
    });

    private static string ReadEngine(byte[] bytes) =>
        ExtractContained("fuzz.tgz", bytes is [0x1F, 0x8B, ..] ? bytes : FuzzSeeds.Gzip(bytes), (tgz, output) =>
        {
            // The synchronous path: the harness measures allocations on this thread.
            var engine = EngineTarball.Extract(tgz, output, 1593388800);
            return $"{engine.BinaryNames.Count} binaries";
        });

    /// <summary>
    /// Writes the input as <paramref name="fileName"/> in a fresh temporary directory and runs
    /// <paramref name="extract"/> into scratch/out, three directories below it; then checks that every
    /// directory above out holds only what the harness put there: a "../" entry or a write through a
    /// symlink that escaped out would leave something beside it.
    /// </summary>
    private static string ExtractContained(string fileName, byte[] bytes, Func<string, string, string> extract)
    {
        var temp = Directory.CreateTempSubdirectory("b2ik-fuzz-extract-").FullName;
        try
        {
            var input = Path.Combine(temp, fileName);
            File.WriteAllBytes(input, bytes);
            var scratch = Directory.CreateDirectory(Path.Combine(temp, "a", "b", "scratch")).FullName;
            try
            {
                return extract(input, Path.Combine(scratch, "out"));
            }
            finally
            {
                ExpectOnly(temp, fileName, "a");
                ExpectOnly(Path.Combine(temp, "a"), "b");
                ExpectOnly(Path.Combine(temp, "a", "b"), "scratch");
                ExpectOnly(scratch, "out");
            }
        }
        finally
        {
            ForceDelete(temp);
        }
    }

    private static void ExpectOnly(string directory, params string[] names)
    {
        var extra = Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Except(names).ToList();
        if (extra.Count > 0)
        {
            throw new FuzzInvariantException($"extraction wrote outside its output directory: {string.Join(", ", extra)} in {directory}");
        }
    }

    /// <summary>Extraction keeps package modes, so a directory may be read-only: open them up before deleting (never following symlinks).</summary>
    public static void ForceDelete(string directory)
    {
        if (!OperatingSystem.IsWindows())
        {
            foreach (var sub in new DirectoryInfo(directory).EnumerateDirectories("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                sub.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            }
        }

        Directory.Delete(directory, recursive: true);
    }

    /// <summary>The cpio and initrd readers promise rootfs-relative names: no "..", no leading "/".</summary>
    private static void CheckRootfsPath(string name)
    {
        if (name.StartsWith('/') || name.Split('/').Contains("..") || name.Length == 0)
        {
            throw new FuzzInvariantException($"the reader returned the name '{name}', which leaves the root");
        }
    }

    private static long CopyToCounting(this Stream stream)
    {
        var buffer = new byte[16384];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }
}
