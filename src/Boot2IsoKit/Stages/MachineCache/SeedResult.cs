namespace Boot2IsoKit.Stages.MachineCache;

/// <param name="CachedIsoPath">The seeded <c>cache/boot2docker.iso</c>.</param>
/// <param name="Backup">The backup file name of the ISO it replaced (in the cache directory), or null.</param>
/// <param name="MachineIsoPath">The machine's replaced ISO when <see cref="SeedRequest.MachineName"/> was given.</param>
/// <param name="MachineBackup">The backup file name in the machine directory, or null.</param>
internal sealed record SeedResult(
    IsoFacts Facts,
    SeedRecord Record,
    string CachedIsoPath,
    string? Backup,
    string? MachineIsoPath,
    string? MachineBackup,
    SeedReport Report);

/// <param name="RestoredFrom">The backup file name that is now <c>cache/boot2docker.iso</c>.</param>
/// <param name="BackupOfReplaced">The backup made of the ISO it replaced, or null when the cache was empty.</param>
internal sealed record RestoreResult(string CachedIsoPath, string RestoredFrom, string? BackupOfReplaced);
