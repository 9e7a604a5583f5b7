using System.Text;
using Boot2IsoKit.Formats.Iso9660.Descriptors;
using Boot2IsoKit.Formats.Iso9660.Directories;
using Boot2IsoKit.Formats.Iso9660.ElTorito;
using Boot2IsoKit.Formats.Iso9660.Hybrid;
using Boot2IsoKit.Formats.Iso9660.RockRidge;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Iso9660.Building;

/// <summary>
/// Turns a builder's tree into block addresses and writes the image in one forward pass:
/// system area, volume descriptors (PVD 16, boot record 17, Joliet SVD, terminator), boot catalog,
/// path tables, ISO directories, Joliet directories, Rock Ridge continuation areas, file data
/// (boot image first, contiguous), padding to whole 1 MiB cylinders for isohybrid images.
/// </summary>
internal sealed partial class SectorLayout
{
    private const int BlockSize = IsoBytes.BlockSize;
    private const long MaxExtentBytes = 0xFFFFF800; // libisofs ISO_EXTENT_SIZE: largest multiple of 2048 below 4 GiB
    private const int CopyBufferBytes = 1 << 20;
    private static readonly int[] SelfAndParentRecordLengths = [34, 34];

    private readonly IsoBuilder _builder;
    private readonly Node _root;
    private readonly List<Node> _isoDirectories = [];
    private readonly List<Node> _jolietDirectories = [];
    private readonly List<Node> _files = [];
    private readonly Node? _bootImage;
    private readonly Node? _catalog;
    private byte[] _typeLTable = [], _typeMTable = [], _jolietLTable = [], _jolietMTable = [];
    private uint _bootRecordLba, _jolietDescriptorLba, _terminatorLba, _catalogLba;
    private uint _typeLLba, _typeMLba, _jolietLLba, _jolietMLba, _endLba, _totalBlocks;
    private uint _bootChecksum;

    public SectorLayout(IsoBuilder builder, BuildNode root)
    {
        _builder = builder;
        _root = Copy(root, null);
        if (builder.ElToritoBoot is { } boot)
        {
            _bootImage = Find(boot.BootImagePath) is { Kind: IsoNodeKind.File } image
                ? image
                : throw new Boot2IsoKitException($"El Torito boot image '{boot.BootImagePath}' is not a file in the image tree");
            if (boot.CatalogPath is { } catalogPath)
            {
                _catalog = AddCatalog(catalogPath);
            }
            else
            {
                _catalog = new Node { Name = "", Kind = IsoNodeKind.File, Length = BlockSize, IsCatalog = true };
            }

            _bootImage.IsBootImage = true;
            if (_bootImage.Length >= MaxExtentBytes || (boot.PatchBootInfoTable && _bootImage.Length < 64))
            {
                throw new Boot2IsoKitException($"El Torito boot image '{boot.BootImagePath}' has {_bootImage.Length} bytes; it must hold a 64-byte header and fit one extent");
            }
        }
        else if (builder.SystemAreaTemplate is not null)
        {
            throw new Boot2IsoKitException("an isohybrid system area template needs an El Torito boot image (the MBR points at it)");
        }

        NameAndSort(_root);
        CollectDirectories();
        PlanSystemUse();
        AssignAddresses();
    }

    private sealed class Node
    {
        public string Name { get; init; } = "";

        public IsoNodeKind Kind { get; init; }

        public Node? Parent { get; set; }

        public uint Permissions { get; init; }

        public uint Uid { get; init; }

        public uint Gid { get; init; }

        public DateTimeOffset Time { get; init; }

        public IContentSource? Content { get; init; }

        public string? SymlinkTarget { get; init; }

        public ulong Device { get; init; }

        public bool IsCatalog { get; init; }

        public bool IsBootImage { get; set; }

        public long Length { get; init; }

        public List<Node> Children { get; } = [];

        public List<Node> JolietChildren { get; set; } = [];

        public byte[] IsoId { get; set; } = [];

        public byte[] JolietId { get; set; } = [];

        public uint Serial { get; set; }

        public ushort IsoNumber { get; set; }

        public ushort JolietNumber { get; set; }

        public uint IsoLba { get; set; }

        public uint IsoSize { get; set; }

        public uint JolietLba { get; set; }

        public uint JolietSize { get; set; }

        public uint DataLba { get; set; }

        public List<RecordPlan> Records { get; } = [];

        /// <summary>This directory's Rock Ridge continuation areas, written right after its extent (as libisofs does;
        /// libarchive reads forward and wants a CE area after the directory that points to it).</summary>
        public ContinuationAreas Continuations { get; } = new();

        public uint ContinuationLba { get; set; }

        public string Path => Parent is null ? "/" : Parent.Parent is null ? "/" + Name : Parent.Path + "/" + Name;
    }

    /// <summary>One ISO directory record to write: whom it describes, and its Rock Ridge entries.</summary>
    private sealed record RecordPlan(Node Target, byte[] Identifier, List<SuspEntry> InRecord, ContinuationAreas.Piece? Continuation)
    {
        public int SystemUseLength
        {
            get
            {
                var length = InRecord.Sum(e => e.Length) + (Continuation is null ? 0 : RockRidgeEntries.ContinuationLength);
                return length + (length % 2);
            }
        }

        public int Length => DirectoryRecord.LengthWithoutSystemUse(Identifier.Length) + SystemUseLength;
    }

    private Node Copy(BuildNode source, Node? parent)
    {
        var node = new Node
        {
            Name = source.Name,
            Kind = source.Kind,
            Parent = parent,
            Permissions = source.Permissions,
            Uid = source.Uid,
            Gid = source.Gid,
            Time = IsoBytes.Truncate(source.ModificationTime ?? _builder.Timestamp),
            Content = source.Content,
            SymlinkTarget = source.SymlinkTarget,
            Device = source.Device,
            Length = source.Content?.Length ?? 0,
        };
        foreach (var child in source.Children.Values)
        {
            node.Children.Add(Copy(child, node));
        }

        return node;
    }

    private Node? Find(string path)
    {
        var node = _root;
        foreach (var segment in RootfsPath.Normalize(path, "ISO path").Split('/'))
        {
            node = node.Children.FirstOrDefault(c => c.Name == segment);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private Node AddCatalog(string path)
    {
        var segments = RootfsPath.Normalize(path, "boot catalog path").Split('/');
        var directory = _root;
        foreach (var segment in segments[..^1])
        {
            var next = directory.Children.FirstOrDefault(c => c.Name == segment);
            if (next is null)
            {
                next = new Node { Name = segment, Kind = IsoNodeKind.Directory, Parent = directory, Permissions = 0x1ED, Time = IsoBytes.Truncate(_builder.Timestamp) };
                directory.Children.Add(next);
            }
            else if (next.Kind != IsoNodeKind.Directory)
            {
                throw new Boot2IsoKitException($"boot catalog path '{path}' goes through '{segment}', which is not a directory");
            }

            directory = next;
        }

        var existing = directory.Children.FirstOrDefault(c => c.Name == segments[^1]);
        if (existing is { Kind: IsoNodeKind.Directory } || existing?.IsBootImage == true)
        {
            throw new Boot2IsoKitException($"boot catalog path '{path}' names a directory or the boot image");
        }

        if (existing is not null)
        {
            directory.Children.Remove(existing); // a remastered image's old catalog: ours replaces it.
        }

        var catalog = new Node { Name = segments[^1], Kind = IsoNodeKind.File, Parent = directory, Permissions = 0x124, Time = IsoBytes.Truncate(_builder.Timestamp), Length = BlockSize, IsCatalog = true };
        directory.Children.Add(catalog);
        return catalog;
    }

    private void NameAndSort(Node directory)
    {
        var isoIds = IsoNameMangler.IsoIdentifiers(directory.Children.Select(c => (c.Name, c.Kind == IsoNodeKind.Directory)));
        var jolietNames = _builder.UseJoliet ? IsoNameMangler.JolietNames(directory.Children.Select(c => c.Name)) : null;
        foreach (var child in directory.Children)
        {
            child.IsoId = Encoding.ASCII.GetBytes(isoIds[child.Name]);
            if (jolietNames is not null)
            {
                child.JolietId = Encoding.BigEndianUnicode.GetBytes(jolietNames[child.Name]);
            }
        }

        directory.Children.Sort((a, b) => IsoNameMangler.Compare(Encoding.ASCII.GetString(a.IsoId), Encoding.ASCII.GetString(b.IsoId)));
        directory.JolietChildren = [.. directory.Children.OrderBy(c => jolietNames?[c.Name] ?? "", StringComparer.Ordinal)];
        foreach (var child in directory.Children.Where(c => c.Kind == IsoNodeKind.Directory))
        {
            NameAndSort(child);
        }
    }

    private void CollectDirectories()
    {
        // Breadth first with children in directory order is exactly path-table order (ECMA-119 9.4).
        var queue = new Queue<Node>([_root]);
        while (queue.Count > 0)
        {
            var directory = queue.Dequeue();
            _isoDirectories.Add(directory);
            directory.IsoNumber = checked((ushort)_isoDirectories.Count);
            foreach (var child in directory.Children.Where(c => c.Kind == IsoNodeKind.Directory))
            {
                queue.Enqueue(child);
            }
        }

        if (_builder.UseJoliet)
        {
            queue.Enqueue(_root);
            while (queue.Count > 0)
            {
                var directory = queue.Dequeue();
                _jolietDirectories.Add(directory);
                directory.JolietNumber = checked((ushort)_jolietDirectories.Count);
                foreach (var child in directory.JolietChildren.Where(c => c.Kind == IsoNodeKind.Directory))
                {
                    queue.Enqueue(child);
                }
            }
        }

        // Serial numbers and data order: depth first, directory order; the boot image goes first.
        uint serial = 0;
        var stack = new Stack<Node>([_root]);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            node.Serial = ++serial;
            if (node.Kind == IsoNodeKind.File && !node.IsCatalog && !node.IsBootImage)
            {
                _files.Add(node);
            }

            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(node.Children[i]);
            }
        }

        if (_bootImage is not null)
        {
            _files.Insert(0, _bootImage);
        }
    }

    private void PlanSystemUse()
    {
        foreach (var directory in _isoDirectories)
        {
            directory.Records.Add(Plan(directory, directory, [0], isSelf: true, isRootSelf: directory == _root));
            directory.Records.Add(Plan(directory, directory.Parent ?? directory, [1], isSelf: true, isRootSelf: false));
            foreach (var child in directory.Children)
            {
                var parts = child.Kind == IsoNodeKind.File ? Math.Max(1, (int)((child.Length + MaxExtentBytes - 1) / MaxExtentBytes)) : 1;
                for (var part = 0; part < parts; part++)
                {
                    directory.Records.Add(Plan(directory, child, child.IsoId, isSelf: false, isRootSelf: false));
                }
            }

            directory.IsoSize = DirectorySize(directory.Records.Select(r => r.Length));
        }
    }

    private RecordPlan Plan(Node directory, Node target, byte[] identifier, bool isSelf, bool isRootSelf)
    {
        if (!_builder.UseRockRidge)
        {
            return new RecordPlan(target, identifier, [], null);
        }

        var entries = new List<SuspEntry>();
        if (isRootSelf)
        {
            entries.Add(RockRidgeEntries.SharingProtocol());
        }

        var links = target.Kind == IsoNodeKind.Directory ? 2u + (uint)target.Children.Count(c => c.Kind == IsoNodeKind.Directory) : 1u;
        entries.Add(RockRidgeEntries.Posix(UnixMode.TypeBits(target.Kind) | target.Permissions, links, target.Uid, target.Gid, target.Serial));
        entries.Add(RockRidgeEntries.Times(target.Time));
        if (!isSelf)
        {
            entries.AddRange(RockRidgeEntries.Name(target.Name));
            if (target.SymlinkTarget is { } link)
            {
                entries.AddRange(RockRidgeEntries.Symlink(link));
            }

            if (target.Kind is IsoNodeKind.BlockDevice or IsoNodeKind.CharacterDevice)
            {
                entries.Add(RockRidgeEntries.Device(target.Device));
            }
        }

        if (isRootSelf)
        {
            entries.Add(RockRidgeEntries.Extension());
        }

        var space = DirectoryRecord.MaxLength - DirectoryRecord.LengthWithoutSystemUse(identifier.Length);
        var (inRecord, first) = directory.Continuations.Place(entries, space);
        return new RecordPlan(target, identifier, inRecord, first);
    }

    private static uint DirectorySize(IEnumerable<int> recordLengths)
    {
        long position = 0;
        foreach (var length in recordLengths)
        {
            if ((position % BlockSize) + length > BlockSize)
            {
                position += BlockSize - (position % BlockSize); // ECMA-119 6.8.1.1: a record never crosses a sector
            }

            position += length;
        }

        return (uint)Blocks(position) * BlockSize;
    }

    private static long Blocks(long bytes) => (bytes + BlockSize - 1) / BlockSize;

    private void AssignAddresses()
    {
        uint next = 17;
        if (_bootImage is not null)
        {
            _bootRecordLba = next++;
        }

        if (_builder.UseJoliet)
        {
            _jolietDescriptorLba = next++;
        }

        _terminatorLba = next++;
        if (_catalog is not null)
        {
            _catalogLba = next++;
        }

        var isoTable = _isoDirectories.Sum(d => PathTableWriter.RecordLength(d == _root ? 1 : d.IsoId.Length));
        _typeLLba = next;
        next += (uint)Blocks(isoTable);
        _typeMLba = next;
        next += (uint)Blocks(isoTable);
        if (_builder.UseJoliet)
        {
            var jolietTable = _jolietDirectories.Sum(d => PathTableWriter.RecordLength(d == _root ? 1 : d.JolietId.Length));
            _jolietLLba = next;
            next += (uint)Blocks(jolietTable);
            _jolietMLba = next;
            next += (uint)Blocks(jolietTable);
        }

        foreach (var directory in _isoDirectories)
        {
            directory.IsoLba = next;
            next += directory.IsoSize / BlockSize;
            directory.ContinuationLba = next;
            next += (uint)directory.Continuations.BlockCount;
        }

        foreach (var directory in _jolietDirectories)
        {
            directory.JolietSize = DirectorySize(
                SelfAndParentRecordLengths.Concat(directory.JolietChildren.Select(c => DirectoryRecord.LengthWithoutSystemUse(c.JolietId.Length) * Parts(c))));
            directory.JolietLba = next;
            next += directory.JolietSize / BlockSize;
        }

        foreach (var file in _files)
        {
            file.DataLba = file.Length == 0 ? _terminatorLba : next;
            next = checked(next + (uint)Blocks(file.Length));
        }

        if (_catalog is not null)
        {
            _catalog.DataLba = _catalogLba;
        }

        _endLba = next;
        _totalBlocks = next;
        if (_builder.SystemAreaTemplate is not null)
        {
            var cylinderBlocks = (uint)(HybridMbr.CylinderBytes(next * (long)BlockSize) / BlockSize);
            _totalBlocks = (next + cylinderBlocks - 1) / cylinderBlocks * cylinderBlocks;
        }

        BuildPathTables();
    }

    private static int Parts(Node node) =>
        node.Kind == IsoNodeKind.File ? Math.Max(1, (int)((node.Length + MaxExtentBytes - 1) / MaxExtentBytes)) : 1;

    private void BuildPathTables()
    {
        var iso = _isoDirectories.Select(d => (d.IsoLba, d == _root ? new byte[] { 0 } : d.IsoId, (d.Parent ?? d).IsoNumber)).ToList();
        _typeLTable = PathTableWriter.Build(iso, bigEndian: false);
        _typeMTable = PathTableWriter.Build(iso, bigEndian: true);
        if (_builder.UseJoliet)
        {
            var joliet = _jolietDirectories.Select(d => (d.JolietLba, d == _root ? new byte[] { 0 } : d.JolietId, (d.Parent ?? d).JolietNumber)).ToList();
            _jolietLTable = PathTableWriter.Build(joliet, bigEndian: false);
            _jolietMTable = PathTableWriter.Build(joliet, bigEndian: true);
        }
    }
}
