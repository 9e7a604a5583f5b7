namespace Boot2IsoKit.Formats.Elf;

/// <summary>
/// What the toolkit needs to know about an ELF executable or shared library to inject it into another
/// root filesystem: its architecture, its program interpreter, the libraries it names and the symbol
/// versions it needs from them or defines itself. Read with <see cref="Read(string)"/>.
/// </summary>
internal sealed class ElfFile
{
    internal ElfFile(string name)
    {
        Name = name;
    }

    /// <summary>The file name used in error messages and reports.</summary>
    public string Name { get; }

    public ElfClass Class { get; internal set; }

    public ElfByteOrder ByteOrder { get; internal set; }

    public ElfType Type { get; internal set; }

    /// <summary>e_machine; compare with <see cref="ElfMachine"/>.</summary>
    public int Machine { get; internal set; }

    /// <summary>The PT_INTERP path ("/lib64/ld-linux-x86-64.so.2"), or null (static binaries, libraries).</summary>
    public string? Interpreter { get; internal set; }

    /// <summary>False for static binaries: they name no libraries and need no loader.</summary>
    public bool HasDynamicSection { get; internal set; }

    /// <summary>DT_NEEDED entries in file order.</summary>
    public IReadOnlyList<string> Needed { get; internal set; } = [];

    public string? Soname { get; internal set; }

    /// <summary>DT_RPATH as stored (colon-separated, may contain $ORIGIN); ignored by the loader when DT_RUNPATH exists.</summary>
    public string? RPath { get; internal set; }

    /// <summary>DT_RUNPATH as stored.</summary>
    public string? RunPath { get; internal set; }

    /// <summary>The versions this file needs, per library (.gnu.version_r / DT_VERNEED).</summary>
    public IReadOnlyList<ElfVersionNeed> VersionNeeds { get; internal set; } = [];

    /// <summary>The versions this file defines (.gnu.version_d / DT_VERDEF), the base entry (its soname) included.</summary>
    public IReadOnlyList<ElfVersionDefinition> VersionDefinitions { get; internal set; } = [];

    /// <summary>"x86-64 ELF64" style summary for messages.</summary>
    public string ArchitectureDescription => $"{ElfMachine.Name(Machine)} {Class}";

    public static ElfFile Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.RandomAccess);
        return Read(stream, path);
    }

    /// <summary>Reads from a seekable stream; <paramref name="name"/> names the input in errors.</summary>
    public static ElfFile Read(Stream stream, string name) => new ElfParser(stream, name).Parse();

    /// <summary>True when the file starts with the ELF magic (a cheap test before <see cref="Read(string)"/>).</summary>
    public static bool HasElfMagic(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }
}

/// <summary>One Verneed record: the versions needed from one library.</summary>
internal sealed record ElfVersionNeed(string File, IReadOnlyList<string> Versions);

/// <summary>One Verdef record. <see cref="IsBase"/> marks the entry that names the file itself.</summary>
internal sealed record ElfVersionDefinition(string Name, int Index, bool IsBase, IReadOnlyList<string> Parents);
