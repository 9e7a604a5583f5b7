using Boot2IsoKit.Formats.Iso9660.Descriptors;
using Boot2IsoKit.Formats.Iso9660.ElTorito;

namespace Boot2IsoKit.Formats.Iso9660;

/// <summary>Path table cross-check and El Torito / boot-info-table reading.</summary>
internal sealed partial class IsoImage
{
    private void ReadPathTable(byte[] pvd)
    {
        var size = IsoBytes.ReadLe32(pvd.AsSpan(132));
        var lba = IsoBytes.ReadLe32(pvd.AsSpan(140));
        if (size == 0 && lba == 0)
        {
            return;
        }

        var location = $"Type-L path table at LBA {lba}";
        CheckExtent(lba, size, location);
        if (size > _length)
        {
            throw Error(location, $"size {size} exceeds the image");
        }

        var table = new byte[size];
        ReadExactly(lba * (long)BlockSize, table, location);
        var extents = new List<uint>();
        var position = 0;
        while (position + 8 <= table.Length)
        {
            var nameLength = table[position];
            if (nameLength == 0)
            {
                break;
            }

            var recordLength = 8 + nameLength + (nameLength % 2);
            var parent = IsoBytes.ReadLe16(table.AsSpan(position + 6));
            if (position + recordLength > table.Length || parent == 0 || parent > extents.Count + 1)
            {
                throw Error($"{location}, record at byte {position}", $"record {extents.Count + 1} has a bad length or parent number {parent}");
            }

            extents.Add(IsoBytes.ReadLe32(table.AsSpan(position + 2)));
            position += recordLength;
        }

        var missing = extents.FirstOrDefault(e => !_directoryExtents.Contains(e), uint.MaxValue);
        if (missing != uint.MaxValue || extents.Count != _directoryExtents.Count)
        {
            throw Error(location, missing != uint.MaxValue
                ? $"lists a directory at LBA {missing} that the directory tree does not contain"
                : $"lists {extents.Count} directories but the tree has {_directoryExtents.Count}");
        }

        PathTableExtents = extents;
    }

    /// <summary>
    /// The El Torito default entry a BIOS would boot, read from the boot record at sector 17 (the only place a BIOS looks,
    /// El Torito 1.0 section 2.0) and its catalog, without reading the rest of the image: for callers that judge an image
    /// beside other facts rather than open it. The stream is left open.
    /// </summary>
    /// <exception cref="InvalidIsoException">No El Torito boot record at sector 17, or its catalog is broken.</exception>
    public static ElToritoDefaultEntry ReadBootEntry(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var image = new IsoImage(stream, name, leaveOpen: true);
        var record = new byte[BlockSize];
        var read = image.ReadAt(BootRecordLba * (long)BlockSize, record);
        var header = record.AsSpan(0, read);
        if (!IsoSignature.IsVolumeDescriptor(header, IsoSignature.BootRecordType))
        {
            throw image.Error("sector 17", "no El Torito boot record volume descriptor");
        }

        return BootCatalog.IsBootRecord(header)
            ? image.ReadDefaultEntry(BootCatalog.CatalogLbaOf(header))
            : throw image.Error("sector 17", $"the boot record is for '{BootCatalog.BootSystemIdOf(header)}', not El Torito");
    }

    private void ReadElTorito(uint catalogLba)
    {
        var entry = ReadDefaultEntry(catalogLba);
        var bootImage = Root.Descendants().FirstOrDefault(n => n.Kind == IsoNodeKind.File && n.Extents.Count == 1 && n.Extents[0].Lba == entry.LoadRba && n.Size > 0);
        var catalogNode = Root.Descendants().FirstOrDefault(n => n.Kind == IsoNodeKind.File && n.Extents.Count == 1 && n.Extents[0].Lba == catalogLba && n.Size > 0);
        ElTorito = new ElToritoBootInfo(
            Platform: entry.Platform,
            Bootable: entry.Bootable,
            Media: entry.Media,
            LoadSegment: entry.LoadSegment,
            LoadSize: entry.LoadSize,
            LoadRba: entry.LoadRba,
            CatalogLba: catalogLba,
            CatalogPath: catalogNode?.Path,
            BootImage: bootImage);
        ReadBootInfoTable(entry.LoadRba, bootImage);
    }

    private ElToritoDefaultEntry ReadDefaultEntry(uint catalogLba)
    {
        var location = $"El Torito boot catalog at LBA {catalogLba}";
        var catalog = ReadBlock(catalogLba, location);
        if (!BootCatalog.HasValidationEntry(catalog))
        {
            throw Error(location, "validation entry header, key 55 AA or checksum is wrong");
        }

        var entry = BootCatalog.DefaultEntry(catalog);
        if (entry[0] is not (BootCatalog.Bootable or 0x00))
        {
            throw Error(location, $"default entry boot indicator 0x{entry[0]:X2} is neither 0x88 nor 0x00");
        }

        var loadRba = IsoBytes.ReadLe32(entry[8..]);
        CheckExtent(loadRba, BlockSize, $"{location}, default entry load RBA");
        return new ElToritoDefaultEntry(
            CatalogLba: catalogLba,
            Platform: catalog[1],
            Bootable: entry[0] == BootCatalog.Bootable,
            Media: entry[1],
            LoadSegment: IsoBytes.ReadLe16(entry[2..]),
            LoadSize: IsoBytes.ReadLe16(entry[6..]),
            LoadRba: loadRba);
    }

    private void ReadBootInfoTable(uint loadRba, IsoNode? bootImage)
    {
        var head = new byte[64];
        ReadExactly(loadRba * (long)BlockSize, head, "boot image");
        var pvd = IsoBytes.ReadLe32(head.AsSpan(8));
        if (pvd != FirstDescriptorLba)
        {
            return; // no table: bytes 8..63 are the boot program's own.
        }

        var file = IsoBytes.ReadLe32(head.AsSpan(12));
        var length = IsoBytes.ReadLe32(head.AsSpan(16));
        var checksum = IsoBytes.ReadLe32(head.AsSpan(20));
        var available = Math.Min(length, _length - (loadRba * (long)BlockSize));
        uint actual;
        using (var content = new Reading.IsoFileStream(this, [new IsoExtent(loadRba, (uint)available)], available))
        {
            actual = BootCatalog.ChecksumFrom64(content, available);
        }

        var verifies = file == loadRba && available == length && actual == checksum && (bootImage is null || bootImage.Size == length);
        BootInfoTable = new BootInfoTable(pvd, file, length, checksum, verifies);
    }
}
