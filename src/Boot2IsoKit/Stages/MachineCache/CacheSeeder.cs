using System.Globalization;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// Puts an ISO into docker-machine's cache (<c>&lt;store&gt;/cache/boot2docker.iso</c>) so that <c>docker-machine create</c>
/// uses it offline: checked first, written atomically, the previous ISO kept as a timestamped backup, a record of what
/// was seeded beside it. Usage: <c>new CacheSeeder(probe).Seed(new SeedRequest { IsoPath = iso, Store = store })</c>.
/// </summary>
internal sealed class CacheSeeder
{
    private readonly IOsReleaseProbe? _osReleaseProbe;
    private readonly TimeProvider _clock;
    private readonly Func<string, Stream> _openIso;

    /// <param name="osReleaseProbe">Reads the ISO's /etc/os-release; without it that check is reported as not done.</param>
    /// <param name="clock">The time used for backup names and the record (tests pass a fixed one).</param>
    public CacheSeeder(IOsReleaseProbe? osReleaseProbe = null, TimeProvider? clock = null)
        : this(osReleaseProbe, clock, path => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
    {
    }

    /// <summary>Tests substitute the stream the ISO's bytes are copied from, to fail in the middle of a write.</summary>
    internal CacheSeeder(IOsReleaseProbe? osReleaseProbe, TimeProvider? clock, Func<string, Stream> openIso)
    {
        _osReleaseProbe = osReleaseProbe;
        _clock = clock ?? TimeProvider.System;
        _openIso = openIso;
    }

    public SeedResult Seed(SeedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var facts = IsoFacts.Read(request.IsoPath, _osReleaseProbe).EnsureSeedable(request.Force);
        var store = request.Store;

        string? machineDirectory = null;
        if (request.MachineName is { } machineName)
        {
            machineDirectory = store.MachineDirectory(machineName);
            if (!Directory.Exists(machineDirectory))
            {
                throw new Boot2IsoKitException($"There is no machine '{machineName}' in {store.Root} ({machineDirectory} does not exist): create it first, or seed without --machine.");
            }
        }

        CreatePrivateDirectory(store.Root);
        CreatePrivateDirectory(store.CacheDirectory);
        var now = _clock.GetUtcNow();
        var cache = new IsoSlot(store.CacheDirectory);

        string staged, sha256;
        long size;
        using (var source = _openIso(request.IsoPath))
        {
            (staged, sha256, size) = cache.Stage(source);
        }

        var backup = cache.Commit(staged, sha256, now);
        var record = new SeedRecord
        {
            SeededBy = "Boot2IsoKit",
            SeededAt = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Backup = backup,
            Manifest = IsoManifest.Create(facts, sha256, size, request.Provenance),
        };
        AtomicFile.Write(cache.RecordPath, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(record.ToJson() + "\n")));

        string? machineIso = null, machineBackup = null;
        if (machineDirectory is not null)
        {
            var machine = new IsoSlot(machineDirectory);
            machineIso = machine.IsoPath;
            try
            {
                using var seeded = File.OpenRead(cache.IsoPath);
                var (machineStaged, machineSha256, _) = machine.Stage(seeded);
                machineBackup = machine.Commit(machineStaged, machineSha256, now);
            }
            catch (IOException ex)
            {
                throw new Boot2IsoKitException(
                    $"The cache is seeded, but {machineIso} could not be replaced ({ex.Message}). Stop the machine first ('docker-machine stop {request.MachineName}') and seed again.", ex);
            }
        }

        var report = SeedReport.Create(facts.ParsedVersion, store, cache.IsoPath, HostPlatforms.Current);
        List<string> checks = [.. facts.Problems.Select(p => "Seeded despite: " + p + ".")];
        if (facts.OsRelease == OsReleaseCheck.NotChecked)
        {
            checks.Add("The ISO's /etc/os-release was not checked for ID=boot2docker (no reader was given).");
        }

        report = report with { Notes = [.. checks, .. report.Notes] };
        if (machineIso is not null)
        {
            report = report with
            {
                Notes = [.. report.Notes, $"Machine '{request.MachineName}' boots the new ISO at its next start ('docker-machine restart {request.MachineName}'); its previous ISO is kept as {machineBackup ?? "(unchanged: same bytes)"}."],
            };
        }
        return new SeedResult(facts, record, cache.IsoPath, backup, machineIso, machineBackup, report);
    }

    /// <summary>
    /// Puts a cache backup back as <c>cache/boot2docker.iso</c> (the newest when <paramref name="backupName"/> is null),
    /// after backing up the current ISO. The backup itself stays. Usage: <c>seeder.Restore(store)</c>.
    /// </summary>
    public RestoreResult Restore(MachineStore store, string? backupName = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var cache = new IsoSlot(store.CacheDirectory);
        var backups = cache.Backups();
        if (backupName is null)
        {
            backupName = backups.Count > 0 ? backups[^1] : throw new Boot2IsoKitException($"There is no backup to restore in {cache.Directory}.");
        }
        else if (!IsoSlot.IsBackupName(backupName) || !backups.Contains(backupName))
        {
            throw new InvalidInputException("backup name", $"'{backupName}'",
                $"is not a backup in {cache.Directory}; backups: {(backups.Count == 0 ? "none" : string.Join(", ", backups))}");
        }

        var backupPath = Path.Combine(cache.Directory, backupName);
        string staged, sha256;
        using (var source = File.OpenRead(backupPath))
        {
            (staged, sha256, _) = cache.Stage(source);
        }

        var replaced = cache.Commit(staged, sha256, _clock.GetUtcNow());

        // The record must describe the ISO now in place: the backup's own record, or none.
        var backupRecord = backupPath + SeedRecord.Suffix;
        if (File.Exists(backupRecord))
        {
            var bytes = File.ReadAllBytes(backupRecord);
            AtomicFile.Write(cache.RecordPath, stream => stream.Write(bytes));
        }
        else
        {
            File.Delete(cache.RecordPath);
        }

        return new RestoreResult(cache.IsoPath, backupName, replaced);
    }

    /// <summary>The cache backups, oldest first.</summary>
    public static IReadOnlyList<string> ListBackups(MachineStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new IsoSlot(store.CacheDirectory).Backups();
    }

    /// <summary>docker-machine creates its cache with mode 0700 (b2d.go: os.Mkdir(imgCachePath, 0700)).</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
