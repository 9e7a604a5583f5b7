using System.Formats.Tar;
using System.IO.Compression;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;
using SharpCompress.Compressors.Xz;
using ZstdDecompressionStream = SharpCompress.Compressors.ZStandard.DecompressionStream;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>
/// A Debian binary package read without dpkg: an ar archive holding "debian-binary" (format 2.0),
/// control.tar.{gz,xz,zst} and data.tar{,.gz,.xz,.zst}.
/// <code>DebPackage.Open(path).ExtractData(rootDirectory);</code>
/// </summary>
internal sealed class DebPackage
{
    private DebPackage(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Checks the archive layout and the format version, reading only the ar headers.</summary>
    public static DebPackage Open(string path)
    {
        var package = new DebPackage(System.IO.Path.GetFullPath(path));
        using var stream = File.OpenRead(package.Path);
        var ar = new ArReader(stream, package.Path);
        var first = ar.Next();
        if (first is null || first.Name != "debian-binary")
        {
            throw new InvalidDebianInputException(package.Path, "first ar member", "is not debian-binary");
        }

        using var reader = new StreamReader(first.Data);
        var version = reader.ReadLine() ?? "";
        if (!version.StartsWith("2.", StringComparison.Ordinal))
        {
            throw new InvalidDebianInputException(package.Path, "debian-binary", $"unsupported format version '{version}'");
        }

        return package;
    }

    /// <summary>The control file's stanza (Package, Version, Depends ...).</summary>
    public Deb822Stanza ReadControl()
    {
        Deb822Stanza? control = null;
        WithMember("control.tar", tar =>
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.Name is "./control" or "control" && entry.DataStream is { } data)
                {
                    using var reader = new StreamReader(data);
                    control = Deb822.Parse(reader, Path + "!control").FirstOrDefault();
                    return;
                }
            }
        });
        return control ?? throw new InvalidDebianInputException(Path, "control.tar", "has no control file");
    }

    /// <summary>Extracts data.tar into <paramref name="directory"/>, safely (see <see cref="SafeTarExtractor"/>).</summary>
    public IReadOnlyList<string> ExtractData(string directory)
    {
        IReadOnlyList<string> written = [];
        WithMember("data.tar", tar => written = SafeTarExtractor.Extract(tar, directory, Path + "!data.tar"));
        return written;
    }

    /// <summary>Writes data.tar, decompressed, to <paramref name="output"/> (to be extracted later with <see cref="ExtractTar"/>).</summary>
    public void DecompressData(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WithMemberStream("data.tar", data => data.CopyTo(output));
    }

    /// <summary>Extracts a data.tar that <see cref="DecompressData"/> wrote, with the same checks as <see cref="ExtractData"/>.</summary>
    /// <param name="input">The name errors give (the .deb it came from).</param>
    public static IReadOnlyList<string> ExtractTar(string tarPath, string directory, string input)
    {
        using var stream = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            using var limited = new TarMetadataLimitStream(stream);
            using var tar = new TarReader(limited);
            return SafeTarExtractor.Extract(tar, directory, input);
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            throw new InvalidDebianInputException(input, "data.tar", $"cannot be read as tar: {e.Message}", e);
        }
    }

    /// <summary>Runs <paramref name="read"/> over the decompressed tar member whose name starts with <paramref name="prefix"/>.</summary>
    private void WithMember(string prefix, Action<TarReader> read) => WithMemberStream(prefix, decompressed =>
    {
        using var limited = new TarMetadataLimitStream(decompressed);
        using var tar = new TarReader(limited);
        read(tar);
    });

    /// <summary>Runs <paramref name="read"/> over the decompressed bytes of the member whose name starts with <paramref name="prefix"/>.</summary>
    private void WithMemberStream(string prefix, Action<Stream> read)
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var ar = new ArReader(stream, Path);
        while (ar.Next() is { } member)
        {
            if (member.Name != prefix && !member.Name.StartsWith(prefix + ".", StringComparison.Ordinal))
            {
                continue;
            }

            var where = $"{Path}!{member.Name}";
            try
            {
                using var decompressed = Decompress(member.Name[prefix.Length..], member.Data, where);
                read(decompressed);
                return;
            }
            // System.Formats.Tar throws OverflowException for a base-256 numeric field too large for its type,
            // and ArgumentOutOfRangeException for a modification time outside DateTimeOffset's range.
            catch (Exception e) when (MalformedInput.Is(e))
            {
                throw new InvalidDebianInputException(where, $"member at offset {member.Offset}", $"cannot be decompressed or read as tar: {e.Message}", e);
            }
        }

        throw new InvalidDebianInputException(Path, "ar members", $"no {prefix} member");
    }

    private static Stream Decompress(string extension, Stream data, string where) => extension switch
    {
        "" => data,
        ".gz" => new GZipStream(data, CompressionMode.Decompress, leaveOpen: true),
        ".xz" => new XZStream(data),
        ".zst" => new ZstdDecompressionStream(data),
        _ => throw new InvalidDebianInputException(where, "member name", $"unknown compression '{extension}'"),
    };
}
