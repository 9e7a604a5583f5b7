using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// One <c>boot2docker.iso</c> in a directory (the cache, or a machine), replaced only by an atomic rename and never
/// without a backup: <c>boot2docker.iso.&lt;UTC yyyyMMddTHHmmssZ&gt;[.n].bak</c>, with its seed record beside it.
/// </summary>
internal sealed partial class IsoSlot(string directory)
{
    public string Directory { get; } = directory;

    public string IsoPath => Path.Combine(Directory, MachineStore.IsoFileName);

    public string RecordPath => IsoPath + SeedRecord.Suffix;

    /// <summary>Copies <paramref name="source"/> to a temporary file in the directory, returning it and its sha256.</summary>
    public (string TemporaryPath, string Sha256, long Size) Stage(Stream source)
    {
        var temporary = TemporaryName();
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = source.Read(buffer)) > 0)
                {
                    output.Write(buffer, 0, read);
                    hash.AppendData(buffer, 0, read);
                    size += read;
                }

                output.Flush(flushToDisk: true);
            }

            return (temporary, Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Renames a staged file over the ISO, after backing up the current one unless it has the same bytes (seeding the
    /// same ISO twice must not pile up copies; nothing is lost). Returns the backup name.
    /// </summary>
    public string? Commit(string stagedPath, string stagedSha256, DateTimeOffset now)
    {
        try
        {
            var backup = HasSameBytes(stagedPath, stagedSha256) ? null : BackupCurrent(now);
            File.Move(stagedPath, IsoPath, overwrite: true);
            return backup;
        }
        catch
        {
            File.Delete(stagedPath);
            throw;
        }
    }

    private bool HasSameBytes(string stagedPath, string stagedSha256)
    {
        if (!File.Exists(IsoPath) || new FileInfo(IsoPath).Length != new FileInfo(stagedPath).Length)
        {
            return false;
        }

        using var current = new FileStream(IsoPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(current)) == stagedSha256;
    }

    /// <summary>Copies the current ISO (and its record) to a new backup name; null when there is no ISO.</summary>
    public string? BackupCurrent(DateTimeOffset now)
    {
        if (!File.Exists(IsoPath))
        {
            return null;
        }

        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (var n = 1; ; n++)
        {
            var name = n == 1 ? $"{MachineStore.IsoFileName}.{stamp}.bak" : $"{MachineStore.IsoFileName}.{stamp}.{n}.bak";
            var path = Path.Combine(Directory, name);
            if (File.Exists(path))
            {
                continue;
            }

            if (CopyNoOverwrite(IsoPath, path))
            {
                if (File.Exists(RecordPath))
                {
                    _ = CopyNoOverwrite(RecordPath, path + SeedRecord.Suffix);
                }

                return name;
            }
        }
    }

    /// <summary>The backups, oldest first.</summary>
    public IReadOnlyList<string> Backups() =>
        [.. System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory, MachineStore.IsoFileName + ".*.bak")
                .Select(Path.GetFileName)
                .Select(name => (Name: name!, Match: BackupName().Match(name!)))
                .Where(b => b.Match.Success)
                .OrderBy(b => b.Match.Groups[1].Value, StringComparer.Ordinal)
                .ThenBy(b => b.Match.Groups[2].Success ? int.Parse(b.Match.Groups[2].Value, CultureInfo.InvariantCulture) : 1)
                .Select(b => b.Name)
            : []];

    public static bool IsBackupName(string name) => BackupName().IsMatch(name);

    /// <summary>Copies through a temporary file and a no-overwrite rename, so the target appears whole and is never replaced.</summary>
    public bool CopyNoOverwrite(string source, string target)
    {
        var temporary = TemporaryName();
        try
        {
            File.Copy(source, temporary);
            File.Move(temporary, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public string TemporaryName() => Path.Combine(Directory, $".{MachineStore.IsoFileName}.{Guid.NewGuid():N}.tmp");

    [GeneratedRegex(@"^boot2docker\.iso\.(\d{8}T\d{6}Z)(?:\.(\d{1,9}))?\.bak$")]
    private static partial Regex BackupName();
}
