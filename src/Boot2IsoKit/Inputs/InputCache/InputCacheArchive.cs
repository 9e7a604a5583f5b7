using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.InputCache;

/// <summary>
/// Carries an input cache to an air-gapped builder as one tar.gz: <c>manifest.json</c> followed by
/// <c>sha256/&lt;hex&gt;</c> files. Import checks every file's sha256 against its name and every manifest
/// entry against the files before the manifest is merged; a bad archive changes nothing that was valid.
/// </summary>
internal static class InputCacheArchive
{
    /// <returns>How many inputs were written.</returns>
    public static async Task<int> ExportAsync(InputCacheStore cache, string archivePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var manifest = cache.ReadManifest();
        foreach (var entry in manifest.Inputs)
        {
            var blob = cache.BlobPath(entry.Sha256);
            if (!File.Exists(blob) || new FileInfo(blob).Length != entry.Size)
            {
                throw new InvalidInputCacheException(cache.Root, $"{InputCacheStore.BlobDirectory}/{entry.Sha256}", $"the file for {entry.Kind} {entry.Name} is missing or has the wrong size");
            }
        }

        await AtomicFile.WriteAsync(archivePath, async (output, ct) =>
        {
            // The inputs are mostly compressed already (ISO initrd, tgz, deb): favour speed.
            await using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
            var json = JsonSerializer.SerializeToUtf8Bytes(manifest, InputCacheManifest.Json);
            var manifestEntry = new PaxTarEntry(TarEntryType.RegularFile, InputCacheStore.ManifestFileName) { DataStream = new MemoryStream(json), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead };
            await tar.WriteEntryAsync(manifestEntry, ct).ConfigureAwait(false);
            foreach (var sha in manifest.Inputs.Select(e => e.Sha256).Distinct(StringComparer.Ordinal))
            {
                await tar.WriteEntryAsync(cache.BlobPath(sha), $"{InputCacheStore.BlobDirectory}/{sha}", ct).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        return manifest.Inputs.Count;
    }

    /// <returns>How many manifest entries were merged into <paramref name="cache"/>.</returns>
    /// <exception cref="InvalidInputCacheException">A file's hash differs from its name, an entry is unexpected, or the manifest names a file that is not there.</exception>
    public static async Task<int> ImportAsync(InputCacheStore cache, string archivePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var archive = Path.GetFullPath(archivePath);
        if (!File.Exists(archive))
        {
            throw new InvalidInputCacheException(archive, "file", "no such cache archive");
        }

        InputCacheManifest? manifest = null;
        await using (var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
        await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        await using (var limited = new TarMetadataLimitStream(gzip))
        await using (var tar = new TarReader(limited))
        {
            try
            {
                while (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    if (entry.EntryType == TarEntryType.Directory && entry.Name.TrimEnd('/') == InputCacheStore.BlobDirectory)
                    {
                        continue;
                    }

                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    {
                        throw new InvalidInputCacheException(archive, entry.Name, $"unexpected {entry.EntryType} entry; a cache archive holds only regular files");
                    }

                    if (entry.Name == InputCacheStore.ManifestFileName)
                    {
                        manifest = await ReadManifestEntryAsync(entry, archive, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await ImportBlobAsync(cache, entry, archive, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (MalformedInput.Is(e))
            {
                throw new InvalidInputCacheException(archive, "tar.gz stream", "truncated or not a gzip'd tar: " + e.Message, e);
            }
        }

        if (manifest is null)
        {
            throw new InvalidInputCacheException(archive, InputCacheStore.ManifestFileName, "the archive has no manifest");
        }

        foreach (var entry in manifest.Inputs)
        {
            var blob = cache.BlobPath(entry.Sha256);
            if (!File.Exists(blob) || new FileInfo(blob).Length != entry.Size)
            {
                throw new InvalidInputCacheException(archive, $"{InputCacheStore.BlobDirectory}/{entry.Sha256}", $"the manifest lists {entry.Kind} {entry.Name} ({entry.Size} bytes) but the archive does not carry that file");
            }
        }

        await cache.UpdateManifestAsync(manifest.Inputs, cancellationToken).ConfigureAwait(false);
        return manifest.Inputs.Count;
    }

    private static async Task<InputCacheManifest> ReadManifestEntryAsync(TarEntry entry, string archive, CancellationToken cancellationToken)
    {
        if (entry.Length > InputCacheManifest.MaxBytes)
        {
            throw new InvalidInputCacheException(archive, entry.Name, $"{entry.Length} bytes is too large for a manifest");
        }

        using var buffer = new MemoryStream();
        if (entry.DataStream is { } data)
        {
            await data.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        buffer.Position = 0;
        return InputCacheStore.ParseManifest(buffer, $"{archive}: {entry.Name}");
    }

    private static async Task ImportBlobAsync(InputCacheStore cache, TarEntry entry, string archive, CancellationToken cancellationToken)
    {
        var prefix = InputCacheStore.BlobDirectory + "/";
        var claimed = entry.Name.StartsWith(prefix, StringComparison.Ordinal) ? entry.Name[prefix.Length..] : string.Empty;
        if (!InputCacheStore.IsSha(claimed))
        {
            throw new InvalidInputCacheException(archive, entry.Name, $"unexpected entry; expected {InputCacheStore.ManifestFileName} or {prefix}<sha256>");
        }

        var staging = cache.IncomingPath($"import-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.GetDirectoryName(staging)!);
        try
        {
            string actual;
            await using (var output = new FileStream(staging, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                if (entry.DataStream is { } data)
                {
                    var chunk = new byte[1 << 16];
                    int read;
                    while ((read = await data.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(chunk, 0, read);
                        await output.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }

                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            if (actual != claimed)
            {
                throw new InvalidInputCacheException(archive, entry.Name, $"the file's sha256 is {actual}: it was corrupted or altered");
            }

            cache.PlaceBlob(staging, claimed);
        }
        finally
        {
            File.Delete(staging);
        }
    }
}
