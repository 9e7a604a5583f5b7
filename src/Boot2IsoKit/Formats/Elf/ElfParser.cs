using System.Buffers.Binary;
using System.Text;

namespace Boot2IsoKit.Formats.Elf;

/// <summary>
/// Reads the parts of an ELF file that <see cref="ElfFile"/> exposes, seeking to each structure and
/// checking every offset, size and count against the real file length before reading, so a hostile
/// file costs at most a bounded number of small reads and ends in <see cref="InvalidElfException"/>.
/// Version information is found through the dynamic section (DT_VERNEED/DT_VERDEF), which also works
/// on files whose section headers were stripped.
/// </summary>
internal sealed class ElfParser
{
    private const uint PtLoad = 1;
    private const uint PtDynamic = 2;
    private const uint PtInterp = 3;

    private const long DtNull = 0;
    private const long DtNeeded = 1;
    private const long DtStrtab = 5;
    private const long DtStrsz = 10;
    private const long DtSoname = 14;
    private const long DtRpath = 15;
    private const long DtRunpath = 29;
    private const long DtVerdef = 0x6ffffffc;
    private const long DtVerdefnum = 0x6ffffffd;
    private const long DtVerneed = 0x6ffffffe;
    private const long DtVerneednum = 0x6fffffff;

    // Limits far above anything a real toolchain emits; they bound the work a hostile file can cause.
    private const int MaxDynamicEntries = 1 << 16;
    private const int MaxVersionRecords = 1 << 12;
    private const int MaxStringLength = 1 << 12;

    private readonly Stream _stream;
    private readonly string _name;
    private readonly long _length;
    private bool _bigEndian;
    private bool _is64;

    public ElfParser(Stream stream, string name)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("ELF parsing needs a seekable stream", nameof(stream));
        }

        _stream = stream;
        _name = name;
        _length = stream.Length;
    }

    private readonly record struct Segment(uint Type, ulong Offset, ulong VirtualAddress, ulong FileSize);

    public ElfFile Parse()
    {
        var file = new ElfFile(_name);
        var ident = ReadAt(0, 16, "e_ident");
        if (!ident.AsSpan(0, 4).SequenceEqual("\u007fELF"u8))
        {
            throw Invalid("offset 0 (e_ident)", "not an ELF file (no \\x7fELF magic)");
        }

        file.Class = ident[4] switch
        {
            1 => ElfClass.Elf32,
            2 => ElfClass.Elf64,
            _ => throw Invalid("offset 4 (EI_CLASS)", $"unknown class {ident[4]}"),
        };
        file.ByteOrder = ident[5] switch
        {
            1 => ElfByteOrder.LittleEndian,
            2 => ElfByteOrder.BigEndian,
            _ => throw Invalid("offset 5 (EI_DATA)", $"unknown byte order {ident[5]}"),
        };
        _is64 = file.Class == ElfClass.Elf64;
        _bigEndian = file.ByteOrder == ElfByteOrder.BigEndian;

        var header = ReadAt(0, _is64 ? 64 : 52, "ELF header");
        file.Type = (ElfType)U16(header, 16);
        file.Machine = U16(header, 18);
        var phoff = _is64 ? U64(header, 32) : U32(header, 28);
        var phentsize = U16(header, _is64 ? 54 : 42);
        var phnum = U16(header, _is64 ? 56 : 44);

        var segments = ReadSegments(phoff, phentsize, phnum);
        foreach (var segment in segments.Where(s => s.Type == PtInterp))
        {
            file.Interpreter = ReadInterpreter(segment);
        }

        var dynamic = segments.FirstOrDefault(s => s.Type == PtDynamic);
        if (dynamic.Type == PtDynamic)
        {
            file.HasDynamicSection = true;
            ReadDynamic(file, dynamic, segments);
        }

        return file;
    }

    private List<Segment> ReadSegments(ulong phoff, int phentsize, int phnum)
    {
        var segments = new List<Segment>();
        if (phnum == 0)
        {
            return segments;
        }

        if (phnum == 0xffff)
        {
            throw Invalid("e_phnum", "extended program header numbering (PN_XNUM) is not supported");
        }

        if (phentsize < (_is64 ? 56 : 32))
        {
            throw Invalid("e_phentsize", $"program header entry size {phentsize} is too small");
        }

        CheckRange(phoff, (ulong)phentsize * (ulong)phnum, "program header table (e_phoff/e_phnum)");
        for (var i = 0; i < phnum; i++)
        {
            var offset = (long)phoff + ((long)i * phentsize);
            var entry = ReadAt(offset, _is64 ? 56 : 32, $"program header {i}");
            segments.Add(_is64
                ? new Segment(U32(entry, 0), U64(entry, 8), U64(entry, 16), U64(entry, 32))
                : new Segment(U32(entry, 0), U32(entry, 4), U32(entry, 8), U32(entry, 16)));
        }

        return segments;
    }

    private string ReadInterpreter(Segment segment)
    {
        if (segment.FileSize == 0 || segment.FileSize > MaxStringLength)
        {
            throw Invalid($"PT_INTERP at offset {segment.Offset}", $"interpreter path size {segment.FileSize} is out of range");
        }

        CheckRange(segment.Offset, segment.FileSize, "PT_INTERP");
        var bytes = ReadAt((long)segment.Offset, (int)segment.FileSize, "PT_INTERP");
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    private void ReadDynamic(ElfFile file, Segment dynamic, List<Segment> segments)
    {
        var entrySize = _is64 ? 16 : 8;
        CheckRange(dynamic.Offset, dynamic.FileSize, "PT_DYNAMIC");
        var count = (long)(dynamic.FileSize / (ulong)entrySize);
        var entries = new List<(long Tag, ulong Value)>();
        for (long i = 0; i < count; i++)
        {
            if (i >= MaxDynamicEntries)
            {
                throw Invalid($"PT_DYNAMIC at offset {dynamic.Offset}", $"more than {MaxDynamicEntries} entries without DT_NULL");
            }

            var raw = ReadAt((long)dynamic.Offset + (i * entrySize), entrySize, $"dynamic entry {i}");
            var tag = _is64 ? (long)U64(raw, 0) : (int)U32(raw, 0);
            var value = _is64 ? U64(raw, 8) : U32(raw, 4);
            if (tag == DtNull)
            {
                break;
            }

            entries.Add((tag, value));
        }

        ulong? Value(long tag) => entries.Where(e => e.Tag == tag).Select(e => (ulong?)e.Value).FirstOrDefault();

        var strtabAddress = Value(DtStrtab);
        var strsz = Value(DtStrsz) ?? 0;
        if (strtabAddress is null)
        {
            if (entries.Any(e => e.Tag is DtNeeded or DtSoname or DtRpath or DtRunpath or DtVerneed or DtVerdef))
            {
                throw Invalid("dynamic section", "names strings but has no DT_STRTAB");
            }

            return;
        }

        var strings = new StringTable(this, ToFileOffset(strtabAddress.Value, segments, "DT_STRTAB"), strsz);
        file.Needed = [.. entries.Where(e => e.Tag == DtNeeded).Select(e => strings.Get(e.Value, "DT_NEEDED"))];
        file.Soname = Value(DtSoname) is { } soname ? strings.Get(soname, "DT_SONAME") : null;
        file.RPath = Value(DtRpath) is { } rpath ? strings.Get(rpath, "DT_RPATH") : null;
        file.RunPath = Value(DtRunpath) is { } runpath ? strings.Get(runpath, "DT_RUNPATH") : null;

        if (Value(DtVerneed) is { } verneed)
        {
            file.VersionNeeds = ReadVersionNeeds(ToFileOffset(verneed, segments, "DT_VERNEED"), Value(DtVerneednum) ?? 0, strings);
        }

        if (Value(DtVerdef) is { } verdef)
        {
            file.VersionDefinitions = ReadVersionDefinitions(ToFileOffset(verdef, segments, "DT_VERDEF"), Value(DtVerdefnum) ?? 0, strings);
        }
    }

    private List<ElfVersionNeed> ReadVersionNeeds(long start, ulong count, StringTable strings)
    {
        CheckCount(count, "DT_VERNEEDNUM");
        var needs = new List<ElfVersionNeed>();
        var visited = new HashSet<long>();
        var offset = start;
        for (ulong i = 0; i < count; i++)
        {
            if (!visited.Add(offset))
            {
                throw Invalid($"Verneed at offset {offset}", "vn_next chain loops");
            }

            var record = ReadAt(offset, 16, $"Verneed {i}");
            var auxCount = U16(record, 2);
            var fileName = strings.Get(U32(record, 4), $"Verneed {i} vn_file");
            var versions = new List<string>();
            var auxVisited = new HashSet<long>();
            var auxOffset = offset + U32(record, 8);
            for (var j = 0; j < auxCount; j++)
            {
                if (!auxVisited.Add(auxOffset))
                {
                    throw Invalid($"Vernaux at offset {auxOffset}", "vna_next chain loops");
                }

                var aux = ReadAt(auxOffset, 16, $"Vernaux {i}.{j}");
                versions.Add(strings.Get(U32(aux, 8), $"Vernaux {i}.{j} vna_name"));
                var next = U32(aux, 12);
                if (next == 0)
                {
                    break;
                }

                auxOffset += next;
            }

            needs.Add(new ElfVersionNeed(fileName, versions));
            var nextRecord = U32(record, 12);
            if (nextRecord == 0)
            {
                break;
            }

            offset += nextRecord;
        }

        return needs;
    }

    private List<ElfVersionDefinition> ReadVersionDefinitions(long start, ulong count, StringTable strings)
    {
        CheckCount(count, "DT_VERDEFNUM");
        var definitions = new List<ElfVersionDefinition>();
        var visited = new HashSet<long>();
        var offset = start;
        for (ulong i = 0; i < count; i++)
        {
            if (!visited.Add(offset))
            {
                throw Invalid($"Verdef at offset {offset}", "vd_next chain loops");
            }

            var record = ReadAt(offset, 20, $"Verdef {i}");
            var flags = U16(record, 2);
            var index = U16(record, 4);
            var auxCount = U16(record, 6);
            var names = new List<string>();
            var auxVisited = new HashSet<long>();
            var auxOffset = offset + U32(record, 12);
            for (var j = 0; j < auxCount; j++)
            {
                if (!auxVisited.Add(auxOffset))
                {
                    throw Invalid($"Verdaux at offset {auxOffset}", "vda_next chain loops");
                }

                var aux = ReadAt(auxOffset, 8, $"Verdaux {i}.{j}");
                names.Add(strings.Get(U32(aux, 0), $"Verdaux {i}.{j} vda_name"));
                var next = U32(aux, 4);
                if (next == 0)
                {
                    break;
                }

                auxOffset += next;
            }

            if (names.Count == 0)
            {
                throw Invalid($"Verdef at offset {offset}", "version definition without a name (vd_cnt 0)");
            }

            definitions.Add(new ElfVersionDefinition(names[0], index, (flags & 1) != 0, names.Skip(1).ToList()));
            var nextRecord = U32(record, 16);
            if (nextRecord == 0)
            {
                break;
            }

            offset += nextRecord;
        }

        return definitions;
    }

    private void CheckCount(ulong count, string field)
    {
        if (count > MaxVersionRecords)
        {
            throw Invalid(field, $"count {count} is absurd (more than {MaxVersionRecords})");
        }
    }

    /// <summary>Maps a virtual address to its file offset through the PT_LOAD segment that contains it.</summary>
    private long ToFileOffset(ulong address, List<Segment> segments, string field)
    {
        foreach (var load in segments.Where(s => s.Type == PtLoad))
        {
            if (address >= load.VirtualAddress && address - load.VirtualAddress < load.FileSize)
            {
                var offset = load.Offset + (address - load.VirtualAddress);
                if (offset >= (ulong)_length)
                {
                    break;
                }

                return (long)offset;
            }
        }

        throw Invalid(field, $"address 0x{address:x} lies in no PT_LOAD segment of the file");
    }

    private void CheckRange(ulong offset, ulong size, string field)
    {
        if (offset > (ulong)_length || size > (ulong)_length - offset)
        {
            throw Invalid($"{field} at offset {offset}", $"{size} bytes reach past the end of the file ({_length} bytes)");
        }
    }

    internal byte[] ReadAt(long offset, int count, string field)
    {
        if (offset < 0 || count < 0 || offset > _length || count > _length - offset)
        {
            throw Invalid($"{field} at offset {offset}", $"{count} bytes reach past the end of the file ({_length} bytes)");
        }

        var buffer = new byte[count];
        _stream.Position = offset;
        _stream.ReadExactly(buffer);
        return buffer;
    }

    internal long Length => _length;

    internal InvalidElfException Invalid(string location, string problem) => new(_name, location, problem);

    private ushort U16(byte[] b, int at) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));

    private uint U32(byte[] b, int at) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private ulong U64(byte[] b, int at) => _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));

    /// <summary>The dynamic string table, read lazily one bounded string at a time.</summary>
    private sealed class StringTable(ElfParser parser, long offset, ulong size)
    {
        public string Get(ulong index, string field)
        {
            if (index >= size)
            {
                throw parser.Invalid(field, $"string index {index} is outside the string table ({size} bytes)");
            }

            var start = offset + (long)index;
            var available = Math.Min(Math.Min(size - index, MaxStringLength), (ulong)Math.Max(0, parser.Length - start));
            var bytes = parser.ReadAt(start, (int)available, field);
            var end = Array.IndexOf(bytes, (byte)0);
            if (end < 0)
            {
                throw parser.Invalid($"{field} at offset {start}", "string is not NUL-terminated within the table");
            }

            return Encoding.UTF8.GetString(bytes, 0, end);
        }
    }
}
