using System.IO.Compression;
using Boot2IsoKit.Formats.Compression;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// Puts a <see cref="RootfsOverlay"/> into a base initrd, either by appending a gzip'd newc member
/// (<see cref="InitrdOverlayMode.Append"/>) or by rewriting the base archive with the overlay merged in
/// (<see cref="InitrdOverlayMode.Merge"/>). Either way the kernel ends up with the overlay's version of
/// every path it names. The output is written to a stream (a temporary file the caller renames or
/// hands to the ISO builder); the base stream is only read.
/// </summary>
internal static class InitrdOverlayWriter
{
    /// <summary>
    /// The deflate level of every gzip this writer makes, as `gzip -6` / `pigz -6` (zlib's default). On the
    /// daemon set (211 MB of ELF files) the smallest-size level took 2.9x the time for 2.4% fewer bytes, and
    /// these members are compressed again on every build.
    /// </summary>
    internal const CompressionLevel GzipLevel = CompressionLevel.Optimal;

    public static Task<InitrdOverlayResult> WriteAsync(
        Stream baseInitrd,
        RootfsOverlay overlay,
        InitrdOverlayMode mode,
        Stream output,
        IProgress<InitrdOverlayProgress>? progress = null,
        string input = "initrd",
        InitrdContents? baseContents = null,
        InitrdCompression mergeCompression = InitrdCompression.Xz,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => Write(baseInitrd, overlay, mode, output, progress, input, baseContents, mergeCompression, cancellationToken), cancellationToken);

    public static InitrdOverlayResult Write(
        Stream baseInitrd,
        RootfsOverlay overlay,
        InitrdOverlayMode mode,
        Stream output,
        IProgress<InitrdOverlayProgress>? progress = null,
        string input = "initrd",
        InitrdContents? baseContents = null,
        InitrdCompression mergeCompression = InitrdCompression.Xz,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseInitrd);
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(output);
        var counter = new CountingWriteStream(output);
        return mode == InitrdOverlayMode.Append
            ? Append(baseInitrd, overlay, counter, progress, input, baseContents, cancellationToken)
            : Merge(baseInitrd, overlay, counter, progress, input, mergeCompression, cancellationToken);
    }

    private static InitrdOverlayResult Append(Stream baseInitrd, RootfsOverlay overlay, CountingWriteStream output, IProgress<InitrdOverlayProgress>? progress, string input, InitrdContents? baseContents, CancellationToken cancellationToken)
    {
        if (baseContents is null)
        {
            progress?.Report(new InitrdOverlayProgress("read base", 0));
            var start = baseInitrd.Position;
            baseContents = new InitrdReader(baseInitrd, input).ReadContents(_ => false);
            baseInitrd.Position = start;
        }

        progress?.Report(new InitrdOverlayProgress("copy base", 0));
        baseInitrd.CopyTo(output);
        var member = WriteAppendedMember(overlay, baseContents, output.Count, output, input, progress, cancellationToken);
        return member with { OutputLength = output.Count };
    }

    /// <summary>
    /// Writes only what Append adds after a base of <paramref name="baseLength"/> bytes: the padding to a
    /// 4-byte boundary and the gzip'd overlay member. The caller puts the base in front of it (the native
    /// remaster hands the ISO writer the base initrd straight from the base ISO, then this member, without
    /// copying the base into a temporary file). The result's OutputLength is base + what was written.
    /// </summary>
    public static InitrdOverlayResult WriteAppendedMember(
        RootfsOverlay overlay,
        InitrdContents baseContents,
        long baseLength,
        Stream output,
        string input = "initrd",
        IProgress<InitrdOverlayProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(baseContents);
        ArgumentNullException.ThrowIfNull(output);
        if (baseLength == 0)
        {
            throw new InvalidCpioException(input, "offset 0", "the base initrd is empty");
        }

        // The kernel re-applies mode and owner of every directory entry, and replaces a symlink with a
        // directory of the same name: so parents the overlay only implies must match what the base has.
        var entries = ParentsAsInBase(overlay, baseContents);
        var counter = new CountingWriteStream(output);

        // The kernel only needs 4-byte alignment for plain archives, but padding costs nothing and keeps
        // every member boundary where syslinux would put one.
        counter.Write(new byte[(4 - (baseLength & 3)) & 3]);
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new InitrdOverlayProgress("write overlay", baseLength + counter.Count));

        // Gzip on every core: the overlay is mostly engine binaries (tens of MB) and is compressed on each build.
        using (var gzip = new ParallelGzipStream(counter, GzipLevel, leaveOpen: true))
        using (var cancellable = new CancellableStream(gzip, cancellationToken))
        using (var cpio = new CpioWriter(cancellable, leaveOpen: true))
        {
            cpio.WriteEntries(entries);
            cpio.WriteTrailer();
        }

        progress?.Report(new InitrdOverlayProgress("done", baseLength + counter.Count));
        return new InitrdOverlayResult(InitrdOverlayMode.Append, InitrdCompression.Gzip, baseLength, baseLength + counter.Count, entries.Count, 0, []);
    }

    /// <summary>
    /// The overlay's entries, parents first, where a parent the overlay did not name explicitly takes the
    /// base's metadata when the base has that directory, and is left out when the base has a symlink there
    /// (lib64 -> lib): the kernel would otherwise chmod the base directory to 0755 (think /tmp 1777) or
    /// replace the symlink with an empty directory.
    /// </summary>
    internal static List<RootfsEntry> ParentsAsInBase(RootfsOverlay overlay, InitrdContents baseContents)
    {
        var entries = new List<RootfsEntry>();
        foreach (var entry in overlay.EntriesWithParents())
        {
            if (overlay.TryGet(entry.Path, out _) || baseContents.Find(entry.Path) is not { } existing)
            {
                entries.Add(entry);
            }
            else if (existing.Header.Kind == RootfsEntryKind.Directory)
            {
                entries.Add(entry with
                {
                    Permissions = existing.Header.Permissions,
                    Uid = existing.Header.Uid,
                    Gid = existing.Header.Gid,
                    ModificationTime = existing.Header.ModificationTime,
                    Origin = entry.Origin + " (as in the base)",
                });
            }
        }

        return entries;
    }

    /// <param name="mergeCompression">For a base in legacy lzma or xz: <see cref="InitrdCompression.Xz"/> or <see cref="InitrdCompression.Lzma"/>.</param>
    private static InitrdOverlayResult Merge(Stream baseInitrd, RootfsOverlay overlay, CountingWriteStream output, IProgress<InitrdOverlayProgress>? progress, string input, InitrdCompression mergeCompression, CancellationToken cancellationToken)
    {
        var reader = new InitrdReader(baseInitrd, input);

        // Pass 1: where each path is last defined, so an entry a later base member overrides is dropped.
        progress?.Report(new InitrdOverlayProgress("read base", 0));
        var lastDefinition = new Dictionary<string, long>(StringComparer.Ordinal);
        var index = 0L;
        var hardLinkGroups = new Dictionary<(int, long, int, int), List<(long Index, string Name, bool HasData)>>();
        var members = reader.Walk((member, r) =>
        {
            var header = r.Current!;
            if (header.Kind == RootfsEntryKind.File && header.LinkCount > 1)
            {
                var key = (member, header.Inode, header.DevMajor, header.DevMinor);
                if (!hardLinkGroups.TryGetValue(key, out var names))
                {
                    hardLinkGroups[key] = names = [];
                }

                names.Add((index, header.Name, header.FileSize > 0));
            }

            lastDefinition[header.Name] = index++;
        });
        var rescues = DataRescues(hardLinkGroups.Values, (position, name) => overlay.TryGet(name, out _) || lastDefinition[name] != position);

        // A compressed member may only end where no base hard-link group is half written: the kernel's link
        // table survives member ends, but our reader (like a re-merge) pairs names within one member.
        var groupEdges = new Dictionary<long, int>();
        foreach (var names in hardLinkGroups.Values.Where(g => g.Count > 1))
        {
            groupEdges[names[0].Index] = groupEdges.GetValueOrDefault(names[0].Index) + 1;
            groupEdges[names[^1].Index] = groupEdges.GetValueOrDefault(names[^1].Index) - 1;
        }

        var baseLength = baseInitrd.Length;
        var notes = new List<string>();
        var compression = members[0].Compression;
        if (members.Select(m => m.Compression).Distinct().Count() > 1)
        {
            notes.Add($"base members use {string.Join(", ", members.Select(m => m.Compression).Distinct())}; merged as {compression} (the first member's)");
        }

        if (compression is InitrdCompression.Lzma or InitrdCompression.Xz && compression != mergeCompression)
        {
            // Kernels read xz where they read lzma (RD_XZ defaults to y beside RD_LZMA, usr/Kconfig; boot2docker's
            // kernel config has both), and xz blocks may end anywhere, so every core encodes one.
            notes.Add(mergeCompression == InitrdCompression.Xz
                ? "the base is legacy lzma; the merged initrd is xz, encoded on every core (initrd-compression: lzma keeps lzma, for a kernel without XZ)"
                : "the base is xz; the merged initrd is legacy lzma, as initrd-compression asks");
            compression = mergeCompression;
        }

        // Entries taking part in an overlay hard link are written together at the end, as one group.
        var linked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in overlay.Entries.Where(e => e.Kind == RootfsEntryKind.HardLink))
        {
            linked.Add(entry.Path);
            linked.Add(RootfsPath.Normalize(entry.LinkTarget ?? ""));
        }

        progress?.Report(new InitrdOverlayProgress("merge", 0));
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        var inodes = new Dictionary<(int, long, int, int), long>();
        var replaced = 0;
        index = 0;
        var additionCount = 0;
        var compressor = OpenCompressor(compression, output, cancellationToken);
        var parallelLzma = compressor as ParallelLzmaStream;
        var openGroups = 0;
        try
        {
            var cpio = new CpioWriter(compressor, leaveOpen: true);
            reader.Walk((member, r) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var header = r.Current!;
                var position = index++;
                openGroups += groupEdges.GetValueOrDefault(position);
                WriteBaseEntry(member, r, header, position);
                if (openGroups == 0)
                {
                    parallelLzma?.MarkCutPoint();
                }
            });

            void WriteBaseEntry(int member, CpioReader r, CpioHeader header, long position)
            {
                if (rescues.TryGetValue(position, out var keptName))
                {
                    // This name goes, but it carries the data of hard links that stay: give the data to one of
                    // them (same inode, so the kernel and cpio write it into the file the names share).
                    using var data = r.OpenEntryStream();
                    cpio.WriteHeader(header with { Name = keptName, Inode = inodes[(member, header.Inode, header.DevMajor, header.DevMinor)], HasChecksum = false, Checksum = 0 }, data);
                }

                if (header.Name != "." && overlay.TryGet(header.Name, out var replacement))
                {
                    if (emitted.Add(header.Name))
                    {
                        replaced++;
                        if (!linked.Contains(header.Name))
                        {
                            cpio.Write(replacement);
                        }
                        else
                        {
                            emitted.Remove(header.Name);
                        }
                    }

                    return;
                }

                if (header.Kind != RootfsEntryKind.Directory && lastDefinition[header.Name] != position)
                {
                    return;
                }

                long inode;
                if (header.LinkCount > 1 && header.Kind == RootfsEntryKind.File)
                {
                    var key = (member, header.Inode, header.DevMajor, header.DevMinor);
                    if (!inodes.TryGetValue(key, out inode))
                    {
                        inode = cpio.AllocateInode();
                        inodes[key] = inode;
                    }
                }
                else
                {
                    inode = cpio.AllocateInode();
                }

                var rewritten = header with { Inode = inode, HasChecksum = false, Checksum = 0 };
                if (header.Kind == RootfsEntryKind.Symlink)
                {
                    using var target = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(r.SymlinkTarget!));
                    cpio.WriteHeader(rewritten with { FileSize = target.Length }, target);
                }
                else
                {
                    using var data = r.OpenEntryStream();
                    cpio.WriteHeader(rewritten, data);
                }

                if (position % 512 == 0)
                {
                    progress?.Report(new InitrdOverlayProgress("merge", output.Count));
                }
            }

            var additions = overlay.EntriesWithParents()
                .Where(e => !emitted.Contains(e.Path) && (overlay.TryGet(e.Path, out _) || !lastDefinition.ContainsKey(e.Path)))
                .ToList();

            // Additions one by one, so a member can end after any of them; the overlay's hard-link groups
            // last, in one call (their names share an inode the writer assigns), after their parents.
            foreach (var entry in additions.Where(e => !linked.Contains(e.Path)))
            {
                cpio.Write(entry);
                parallelLzma?.MarkCutPoint();
            }

            cpio.WriteEntries([.. additions.Where(e => linked.Contains(e.Path))]);
            cpio.WriteTrailer();
            cpio.Dispose();
            additionCount = additions.Count(e => !lastDefinition.ContainsKey(e.Path));
        }
        finally
        {
            compressor.Dispose();
        }

        progress?.Report(new InitrdOverlayProgress("done", output.Count));
        return new InitrdOverlayResult(InitrdOverlayMode.Merge, compression, baseLength, output.Count, additionCount, replaced, notes);
    }

    /// <summary>
    /// newc keeps a hard-linked file's data on one name (the last). When a merge drops that name (replaced
    /// by the overlay or by a later base member) the data must move to a name that stays: returns, per
    /// dropped data-carrying position, the kept name to write the data under.
    /// </summary>
    private static Dictionary<long, string> DataRescues(IEnumerable<List<(long Index, string Name, bool HasData)>> groups, Func<long, string, bool> dropped)
    {
        var rescues = new Dictionary<long, string>();
        foreach (var group in groups)
        {
            foreach (var carrier in group.Where(g => g.HasData && dropped(g.Index, g.Name)))
            {
                var kept = group.FirstOrDefault(g => g.Index < carrier.Index && !dropped(g.Index, g.Name));
                if (kept.Name is not null)
                {
                    rescues[carrier.Index] = kept.Name;
                }
            }
        }

        return rescues;
    }

    private static Stream OpenCompressor(InitrdCompression compression, Stream output, CancellationToken cancellationToken)
    {
        switch (compression)
        {
            case InitrdCompression.None:
                return new NonClosingStream(output);
            case InitrdCompression.Gzip:
                return new ParallelGzipStream(output, GzipLevel, leaveOpen: true);
            case InitrdCompression.Zstd:
                return new SharpCompress.Compressors.ZStandard.CompressionStream(new NonClosingStream(output), 19);
            case InitrdCompression.Lzma:
                // Independent members on every core, cut between entries (see MarkCutPoint in Merge).
                return new ParallelLzmaStream(output, leaveOpen: true);
            case InitrdCompression.Xz:
                // Independent blocks on every core, cut anywhere; a cancelled build stops them at once.
                return new ParallelXzStream(output, leaveOpen: true, cancellationToken: cancellationToken);
            default:
                throw new InvalidCpioException("initrd", "first member", $"cannot write {compression}");
        }
    }

    /// <summary>Counts bytes written to the output and never closes it.</summary>
    private sealed class CountingWriteStream(Stream inner) : NonClosingStream(inner)
    {
        public long Count { get; private set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            Count += count;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            base.Write(buffer);
            Count += buffer.Length;
        }
    }

    private class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Flush();
            }

            base.Dispose(disposing);
        }
    }
}
