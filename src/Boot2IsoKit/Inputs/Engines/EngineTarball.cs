using System.Formats.Tar;
using System.IO.Compression;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.Engines;

/// <summary>
/// The binaries of a Docker static engine download, read from a local tgz of any era and spooled to a
/// directory the caller owns, ready to become <c>/usr/local/bin/&lt;name&gt;</c> (0755, root:root) in a
/// rootfs overlay. Only the places an engine tgz has ever used are accepted; anything else (absolute
/// or ".." paths, links leaving the binary directory, devices, stray files) is an
/// <see cref="InvalidEngineTarballException"/>. Nothing read here is ever executed.
/// </summary>
internal sealed class EngineTarball
{
    private const string BinaryDirectory = "usr/local/bin";
    private const int Executable = 0x1ED; // 0755

    private EngineTarball(string input, EngineTarballLayout layout, IReadOnlyList<RootfsEntry> entries, DateTimeOffset? newestEntryTime)
    {
        Input = input;
        Layout = layout;
        Entries = entries;
        NewestEntryTime = newestEntryTime;
    }

    public string Input { get; }

    public EngineTarballLayout Layout { get; }

    /// <summary>File names as installed in /usr/local/bin, ordinal order.</summary>
    public IReadOnlyList<string> BinaryNames => [.. Entries.Select(e => e.Path[(BinaryDirectory.Length + 1)..])];

    /// <summary>One entry per binary (a file, or a symlink to a sibling), under usr/local/bin.</summary>
    public IReadOnlyList<RootfsEntry> Entries { get; }

    /// <summary>
    /// The newest modification time of any entry of the archive (null for a raw binary): the date the
    /// engine itself carries, read in the same pass as the binaries.
    /// </summary>
    public DateTimeOffset? NewestEntryTime { get; }

    /// <summary>Reads <paramref name="path"/> (a .tgz, or the raw binary of the ≤1.10 era) and spools its binaries.</summary>
    public static EngineTarball Extract(string path, string spoolDirectory, long modificationTime, CancellationToken cancellationToken = default)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        // Every read of the archive checks for a stop request: inflating tens of MB is the long part.
        using var stream = new CancellableStream(file, cancellationToken);
        return Extract(stream, path, spoolDirectory, modificationTime);
    }

    public static Task<EngineTarball> ExtractAsync(string path, string spoolDirectory, long modificationTime, CancellationToken cancellationToken = default) =>
        Task.Run(() => Extract(path, spoolDirectory, modificationTime, cancellationToken), cancellationToken);

    /// <summary>
    /// Reads an engine download from <paramref name="stream"/>. A seekable stream that starts with an ELF
    /// header is taken as the single "docker" binary of the ≤1.10 era; anything else must be a gzip'd tar.
    /// </summary>
    public static EngineTarball Extract(Stream stream, string input, string spoolDirectory, long modificationTime)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Directory.CreateDirectory(spoolDirectory);
        if (stream.CanSeek && StartsWithElf(stream))
        {
            var spooled = Spool(stream, spoolDirectory, "docker", input, "(raw binary)");
            return new EngineTarball(input, EngineTarballLayout.SingleBinary, [Binary("docker", spooled, input, modificationTime)], newestEntryTime: null);
        }

        var files = new Dictionary<string, FileContent>(StringComparer.Ordinal);
        var symlinks = new Dictionary<string, string>(StringComparer.Ordinal);
        var roots = new HashSet<string>(StringComparer.Ordinal);
        var location = "gzip header";
        DateTimeOffset? newest = null;
        try
        {
            using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
            // A hostile tgz must not make TarReader allocate what a pax or long-name header claims.
            using var limited = new TarMetadataLimitStream(gzip);
            using var tar = new TarReader(limited);
            var any = false;
            while (tar.GetNextEntry() is { } entry)
            {
                location = entry.Name;
                any = true;
                newest = newest is null || entry.ModificationTime > newest ? entry.ModificationTime : newest;
                Accept(entry, input, spoolDirectory, files, symlinks, roots);
                location = $"after '{entry.Name}'";
            }

            if (!any)
            {
                throw new InvalidEngineTarballException(input, "tar", "the archive holds no entry");
            }
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            throw new InvalidEngineTarballException(input, location, $"not a readable gzip'd tar: {e.Message}", e);
        }

        if (files.Count == 0)
        {
            throw new InvalidEngineTarballException(input, "tar", "the archive holds no regular file");
        }

        if (roots.Count > 1)
        {
            throw new InvalidEngineTarballException(input, "tar", $"binaries in more than one place ({string.Join(", ", roots.Order(StringComparer.Ordinal))}); an engine tgz uses one");
        }

        if (!files.ContainsKey("docker") && !files.ContainsKey("dockerd"))
        {
            throw new InvalidEngineTarballException(input, "tar", $"no docker or dockerd binary (found {string.Join(", ", files.Keys.Order(StringComparer.Ordinal))})");
        }

        foreach (var (name, target) in symlinks)
        {
            if (!files.ContainsKey(target))
            {
                throw new InvalidEngineTarballException(input, name, $"symlink to '{target}', which the archive does not hold");
            }
        }

        var entries = files.Select(f => Binary(f.Key, f.Value, input, modificationTime))
            .Concat(symlinks.Select(s => RootfsEntry.Symlink($"{BinaryDirectory}/{s.Key}", s.Value, origin: $"engine tgz {input}") with { ModificationTime = modificationTime }))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ToList();
        return new EngineTarball(input, DetectLayout(roots.Single(), files.Keys), entries, newest);
    }

    /// <summary>
    /// Adds every binary to <paramref name="overlay"/> (later additions of the same path replace earlier
    /// ones), dated <paramref name="modificationTime"/> when given, else as extracted.
    /// </summary>
    public void AddTo(RootfsOverlay overlay, long? modificationTime = null)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        foreach (var entry in Entries)
        {
            overlay.Add(modificationTime is { } time ? entry with { ModificationTime = time } : entry);
        }
    }

    private static void Accept(TarEntry entry, string input, string spoolDirectory, Dictionary<string, FileContent> files, Dictionary<string, string> symlinks, HashSet<string> roots)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
        {
            return;
        }

        var raw = entry.Name;
        if (raw.StartsWith('/') || raw.StartsWith('\\') || (raw.Length > 1 && raw[1] == ':'))
        {
            throw new InvalidEngineTarballException(input, raw, "absolute path");
        }

        string path;
        try
        {
            path = raw.Trim('/') is "" or "." ? "." : RootfsPath.Normalize(raw, input);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidEngineTarballException(input, raw, e.Problem);
        }

        if (entry.EntryType == TarEntryType.Directory)
        {
            if (path is not ("." or "docker" or "usr" or "usr/local" or "usr/local/bin"))
            {
                throw new InvalidEngineTarballException(input, raw, "unexpected directory for an engine tgz");
            }

            return;
        }

        var slash = path.LastIndexOf('/');
        var root = slash < 0 ? "." : path[..slash];
        var name = path[(slash + 1)..];
        if (root is not ("." or "docker" or "usr/local/bin"))
        {
            throw new InvalidEngineTarballException(input, raw, "unexpected place for an engine binary (expected docker/NAME, usr/local/bin/docker or docker)");
        }

        if (root != "docker" && name != "docker")
        {
            throw new InvalidEngineTarballException(input, raw, "only a single 'docker' binary may sit outside docker/");
        }

        if (files.ContainsKey(name) || symlinks.ContainsKey(name))
        {
            throw new InvalidEngineTarballException(input, raw, $"a second entry named '{name}'");
        }

        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                roots.Add(root);
                files[name] = entry.DataStream is null
                    ? SpoolEmpty(spoolDirectory, name)
                    : Spool(entry.DataStream, spoolDirectory, name, input, raw);
                break;
            case TarEntryType.SymbolicLink:
                var target = entry.LinkName;
                if (target.Length == 0 || target.Contains('/', StringComparison.Ordinal) || target is "." or "..")
                {
                    throw new InvalidEngineTarballException(input, raw, $"symlink to '{target}' leaves the binary directory");
                }

                roots.Add(root);
                symlinks[name] = target;
                break;
            case TarEntryType.HardLink:
                var linked = entry.LinkName.Trim('/');
                var linkedSlash = linked.LastIndexOf('/');
                var linkedName = linked[(linkedSlash + 1)..];
                if ((linkedSlash < 0 ? "." : linked[..linkedSlash]) != root || !files.TryGetValue(linkedName, out var content))
                {
                    throw new InvalidEngineTarballException(input, raw, $"hard link to '{entry.LinkName}', which is not an earlier binary beside it");
                }

                roots.Add(root);
                files[name] = content;
                break;
            default:
                throw new InvalidEngineTarballException(input, raw, $"{entry.EntryType} entries do not belong in an engine tgz");
        }
    }

    private static EngineTarballLayout DetectLayout(string root, IEnumerable<string> names)
    {
        if (root != "docker")
        {
            return EngineTarballLayout.SingleBinary;
        }

        return names.Any(n => n.StartsWith("docker-containerd", StringComparison.Ordinal) || n == "docker-runc")
            ? EngineTarballLayout.PrefixedDocker
            : EngineTarballLayout.Modern;
    }

    private static RootfsEntry Binary(string name, FileContent content, string input, long modificationTime) =>
        RootfsEntry.File($"{BinaryDirectory}/{name}", content, Executable, origin: $"engine tgz {input}") with { ModificationTime = modificationTime };

    private static bool StartsWithElf(Stream stream)
    {
        var start = stream.Position;
        Span<byte> magic = stackalloc byte[4];
        var read = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        stream.Position = start;
        return read == 4 && magic.SequenceEqual("\u007fELF"u8);
    }

    private static FileContent Spool(Stream data, string spoolDirectory, string name, string input, string location)
    {
        var path = Path.Combine(spoolDirectory, name);
        // Unbuffered (the copy writes 64 KiB at a time): a failed write leaves nothing for Dispose to retry.
        // Created outside the guarded block: creating it is the scratch's side, never the archive's.
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            using (file)
            {
                var buffer = new byte[1 << 16];
                int read;
                // Reading is the archive's side (its errors are the input's); writing is the scratch's (WriteSpool).
                while ((read = data.Read(buffer)) > 0)
                {
                    WriteSpool(file, buffer.AsSpan(0, read), spoolDirectory);
                }

                WriteSpool(file, [], spoolDirectory);
            }
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            File.Delete(path);
            throw new InvalidEngineTarballException(input, location, $"the data is cut off or corrupt: {e.Message}", e);
        }

        return new FileContent(path);
    }

    /// <summary>Writes (an empty span: flushes) to the spool file; a failure there is the output side's, never the archive's.</summary>
    private static void WriteSpool(FileStream file, ReadOnlySpan<byte> bytes, string spoolDirectory)
    {
        try
        {
            if (bytes.IsEmpty)
            {
                file.Flush();
            }
            else
            {
                file.Write(bytes);
            }
        }
        catch (IOException e)
        {
            throw OutputWriteException.For(spoolDirectory, null, e);
        }
    }

    private static FileContent SpoolEmpty(string spoolDirectory, string name)
    {
        var path = Path.Combine(spoolDirectory, name);
        File.WriteAllBytes(path, []);
        return new FileContent(path);
    }
}
