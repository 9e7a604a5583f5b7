using System.Buffers.Binary;
using System.Text;
using Boot2IsoKit.Formats.Iso9660.Descriptors;
using Boot2IsoKit.Formats.Iso9660.Directories;
using Boot2IsoKit.Formats.Iso9660.ElTorito;
using Boot2IsoKit.Formats.Iso9660.Hybrid;
using Boot2IsoKit.Formats.Iso9660.RockRidge;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Formats.Iso9660.Building;

/// <summary>The forward-only writing pass of the layout.</summary>
internal sealed partial class SectorLayout
{
    private Stream _output = Stream.Null;
    private IProgress<IsoBuildProgress>? _progress;
    private long _written;
    private long _lastReport;
    private byte[] _copyBuffer = [];

    public void Write(Stream output, IProgress<IsoBuildProgress>? progress, CancellationToken cancellationToken)
    {
        _output = output;
        _progress = progress;
        if (_bootImage is not null && _builder.ElToritoBoot!.PatchBootInfoTable)
        {
            using var content = _bootImage.Content!.OpenRead();
            _bootChecksum = BootCatalog.ChecksumFrom64(content, _bootImage.Length);
        }

        WriteSystemArea();
        WriteDescriptors();
        if (_catalog is not null)
        {
            Expect(_catalogLba, "boot catalog");
            var sector = new byte[BlockSize];
            var boot = _builder.ElToritoBoot!;
            BootCatalog.WriteCatalog(sector, boot.Platform, boot.Media, boot.LoadSegment, boot.LoadSize, _bootImage!.DataLba);
            Emit(sector);
        }

        WritePadded(_typeLLba, _typeLTable, "path table L");
        WritePadded(_typeMLba, _typeMTable, "path table M");
        if (_builder.UseJoliet)
        {
            WritePadded(_jolietLLba, _jolietLTable, "Joliet path table L");
            WritePadded(_jolietMLba, _jolietMTable, "Joliet path table M");
        }

        foreach (var directory in _isoDirectories)
        {
            WriteIsoDirectory(directory);
        }

        foreach (var directory in _jolietDirectories)
        {
            WriteJolietDirectory(directory);
        }

        foreach (var file in _files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WriteFileData(file, cancellationToken);
        }

        Expect(_endLba, "end of data");
        var padding = new byte[BlockSize];
        for (var lba = _endLba; lba < _totalBlocks; lba++)
        {
            Emit(padding);
        }

        _output.Flush();
        _progress?.Report(new IsoBuildProgress(_written, TotalBytes, null));
    }

    private long TotalBytes => _totalBlocks * (long)BlockSize;

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _written += bytes.Length;
    }

    private void Expect(uint lba, string what)
    {
        if (_written != lba * (long)BlockSize)
        {
            throw new InvalidOperationException($"layout error: {what} should start at LBA {lba} but the writer is at byte {_written}");
        }
    }

    private void WritePadded(uint lba, ReadOnlySpan<byte> bytes, string what)
    {
        Expect(lba, what);
        Emit(bytes);
        var tail = (int)(Blocks(bytes.Length) * BlockSize) - bytes.Length;
        Emit(new byte[tail]);
    }

    private void WriteSystemArea()
    {
        var area = new byte[IsoSystemArea.Size];
        if (_builder.SystemAreaTemplate is { } template)
        {
            template.Span.CopyTo(area);
            var seed = Encoding.UTF8.GetBytes($"{_builder.VolumeId}|{_builder.Timestamp.ToUnixTimeSeconds()}|{_totalBlocks}|{_bootImage!.DataLba}");
            HybridMbr.Patch(area, _bootImage.DataLba, TotalBytes, _endLba * (long)BlockSize, HybridMbr.DiskSignature(seed));
        }

        Emit(area);
    }

    private void WriteDescriptors()
    {
        var sector = new byte[BlockSize];
        var isoRoot = new byte[34];
        new DirectoryRecord { Lba = _root.IsoLba, DataLength = _root.IsoSize, Flags = DirectoryRecord.FlagDirectory, Identifier = [0] }.Write(isoRoot, _root.Time);
        VolumeDescriptorWriter.WritePrimary(sector, Fields((uint)_typeLTable.Length, _typeLLba, _typeMLba, isoRoot));
        Emit(sector);
        if (_bootImage is not null)
        {
            Expect(_bootRecordLba, "boot record");
            BootCatalog.WriteBootRecord(sector, _catalogLba);
            Emit(sector);
        }

        if (_builder.UseJoliet)
        {
            Expect(_jolietDescriptorLba, "Joliet descriptor");
            var jolietRoot = new byte[34];
            new DirectoryRecord { Lba = _root.JolietLba, DataLength = _root.JolietSize, Flags = DirectoryRecord.FlagDirectory, Identifier = [0] }.Write(jolietRoot, _root.Time);
            VolumeDescriptorWriter.WriteJoliet(sector, Fields((uint)_jolietLTable.Length, _jolietLLba, _jolietMLba, jolietRoot));
            Emit(sector);
        }

        Expect(_terminatorLba, "terminator");
        VolumeDescriptorWriter.WriteTerminator(sector);
        Emit(sector);
    }

    private VolumeDescriptorFields Fields(uint pathTableSize, uint typeL, uint typeM, byte[] root) => new(
        _builder.SystemId, _builder.VolumeId, _builder.PublisherId, _builder.DataPreparerId, _builder.ApplicationId,
        _totalBlocks, pathTableSize, typeL, typeM, root, IsoBytes.Truncate(_builder.Timestamp));

    private void WriteIsoDirectory(Node directory)
    {
        Expect(directory.IsoLba, $"directory {directory.Path}");
        var extent = new byte[directory.IsoSize];
        var position = 0;
        var multiExtentIndex = 0;
        Node? previousTarget = null;
        foreach (var record in directory.Records)
        {
            var length = record.Length;
            if ((position % BlockSize) + length > BlockSize)
            {
                position += BlockSize - (position % BlockSize);
            }

            var target = record.Target;
            multiExtentIndex = target == previousTarget && !ReferenceEquals(record, directory.Records[1]) ? multiExtentIndex + 1 : 0;
            previousTarget = target;
            var (lba, dataLength, flags) = Describe(target, multiExtentIndex);
            var systemUse = new byte[record.SystemUseLength];
            var at = 0;
            foreach (var entry in record.InRecord)
            {
                entry.Bytes.CopyTo(systemUse, at);
                at += entry.Length;
            }

            if (record.Continuation is { } piece)
            {
                ContinuationAreas.Continuation(directory.ContinuationLba, piece).Bytes.CopyTo(systemUse, at);
            }

            new DirectoryRecord { Lba = lba, DataLength = dataLength, Flags = flags, Identifier = record.Identifier, SystemUse = systemUse }
                .Write(extent.AsSpan(position), target.Time);
            position += length;
        }

        Emit(extent);
        Expect(directory.ContinuationLba, $"continuation areas of {directory.Path}");
        directory.Continuations.WriteBlocks(directory.ContinuationLba, Emit);
    }

    /// <summary>Extent, length and flags of the record for a node (part <paramref name="part"/> of a multi-extent file).</summary>
    private (uint Lba, uint Length, byte Flags) Describe(Node target, int part)
    {
        if (target.Kind == IsoNodeKind.Directory)
        {
            return (target.IsoLba, target.IsoSize, DirectoryRecord.FlagDirectory);
        }

        if (target.Kind != IsoNodeKind.File)
        {
            return (_terminatorLba, 0, 0);
        }

        var parts = Parts(target);
        var offset = part * MaxExtentBytes;
        var length = (uint)Math.Min(MaxExtentBytes, target.Length - offset);
        var lba = target.Length == 0 ? _terminatorLba : target.DataLba + (uint)(offset / BlockSize);
        return (lba, target.Length == 0 ? 0 : length, part < parts - 1 ? DirectoryRecord.FlagMultiExtent : (byte)0);
    }

    private void WriteJolietDirectory(Node directory)
    {
        Expect(directory.JolietLba, $"Joliet directory {directory.Path}");
        var extent = new byte[directory.JolietSize];
        var position = 0;
        void Put(DirectoryRecord record, DateTimeOffset time)
        {
            if ((position % BlockSize) + record.Length > BlockSize)
            {
                position += BlockSize - (position % BlockSize);
            }

            record.Write(extent.AsSpan(position), time);
            position += record.Length;
        }

        var parent = directory.Parent ?? directory;
        Put(new DirectoryRecord { Lba = directory.JolietLba, DataLength = directory.JolietSize, Flags = DirectoryRecord.FlagDirectory, Identifier = [0] }, directory.Time);
        Put(new DirectoryRecord { Lba = parent.JolietLba, DataLength = parent.JolietSize, Flags = DirectoryRecord.FlagDirectory, Identifier = [1] }, parent.Time);
        foreach (var child in directory.JolietChildren)
        {
            for (var part = 0; part < Parts(child); part++)
            {
                var (lba, length, flags) = child.Kind == IsoNodeKind.Directory
                    ? (child.JolietLba, child.JolietSize, DirectoryRecord.FlagDirectory)
                    : Describe(child, part);
                Put(new DirectoryRecord { Lba = lba, DataLength = length, Flags = flags, Identifier = child.JolietId }, child.Time);
            }
        }

        Emit(extent);
    }

    private void WriteFileData(Node file, CancellationToken cancellationToken)
    {
        if (file.Length == 0)
        {
            return;
        }

        Expect(file.DataLba, file.Path);
        // One buffer for the whole build: memory stays at one chunk however many and however large the files.
        if (_copyBuffer.Length == 0)
        {
            _copyBuffer = new byte[CopyBufferBytes];
        }

        var buffer = _copyBuffer;
        using var content = file.Content!.OpenRead();
        long done = 0;
        while (done < file.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var want = (int)Math.Min(buffer.Length, file.Length - done);
            var read = content.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            if (read < want)
            {
                throw new Boot2IsoKitException($"{file.Content.Description} ended after {done + read} bytes, but {file.Length} were announced (for {file.Path})");
            }

            if (done == 0 && file.IsBootImage && _builder.ElToritoBoot!.PatchBootInfoTable)
            {
                PatchBootInfoTable(buffer.AsSpan(0, read), file);
            }

            done += read;
            var chunk = read;
            if (done == file.Length)
            {
                var tail = (int)((BlockSize - (file.Length % BlockSize)) % BlockSize);
                Array.Clear(buffer, read, tail);
                chunk += tail;
            }

            Emit(buffer.AsSpan(0, chunk));
            if (_progress is not null && _written - _lastReport >= 8 << 20)
            {
                _lastReport = _written;
                _progress.Report(new IsoBuildProgress(_written, TotalBytes, file.Path));
            }
        }

        if (content.ReadByte() >= 0)
        {
            throw new Boot2IsoKitException($"{file.Content.Description} holds more than the {file.Length} bytes announced (for {file.Path})");
        }
    }

    /// <summary>bi_pvd, bi_file, bi_length, bi_csum and 40 zero bytes at byte 8 of the boot image's copy.</summary>
    private void PatchBootInfoTable(Span<byte> head, Node file)
    {
        var table = head.Slice(8, 56);
        table.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(table, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(table[4..], file.DataLba);
        BinaryPrimitives.WriteUInt32LittleEndian(table[8..], (uint)file.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(table[12..], _bootChecksum);
    }
}
