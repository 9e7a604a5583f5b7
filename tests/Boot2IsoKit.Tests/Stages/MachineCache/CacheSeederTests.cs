using System.Security.Cryptography;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.MachineCache;
using Boot2IsoKit.Testing.MachineCache;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.MachineCache;

public sealed class CacheSeederTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 5, 45, 9, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-seed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Gives <paramref name="limit"/> bytes of the real file, then fails like a dying disk or network share.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _given;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _given; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= limit)
            {
                throw new IOException("injected read failure");
            }

            var read = inner.Read(buffer, offset, (int)Math.Min(count, limit - _given));
            _given += read;
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private Task<string> Iso(string label, string name) =>
        SmallIso.BuildAsync(_directory, name, label, elTorito: true, payload: 300_000, cancellationToken: TestContext.Current.CancellationToken);

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static Func<string, string?> Env(string? storagePath) => name => name == "MACHINE_STORAGE_PATH" ? storagePath : null;

    public static TheoryData<string> StoreSources => ["argument", "environment", "home"];

    [Theory]
    [MemberData(nameof(StoreSources))]
    public async Task Seeding_into_an_empty_store_creates_a_private_cache_and_records_the_ISO(string source)
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v20.10.24", "new");
        var home = Path.Combine(_directory, "home");
        var store = source switch
        {
            "argument" => MachineStore.Resolve(Path.Combine(_directory, "arg-store"), Env(Path.Combine(_directory, "unused")), home),
            "environment" => MachineStore.Resolve(null, Env(Path.Combine(_directory, "env-store")), home),
            _ => MachineStore.Resolve(null, Env(null), home),
        };
        var provenance = new IsoProvenance { Recipe = "experimental", EngineVersion = "20.10.24", Inputs = new Dictionary<string, string> { ["base"] = "ab12" } };

        var result = new CacheSeeder(clock: new FixedClock(Now)).Seed(new SeedRequest { IsoPath = iso, Store = store, Provenance = provenance });

        var expectedRoot = source switch
        {
            "argument" => Path.Combine(_directory, "arg-store"),
            "environment" => Path.Combine(_directory, "env-store"),
            _ => Path.Combine(home, ".docker", "machine"),
        };
        Assert.Equal(Path.Combine(expectedRoot, "cache", "boot2docker.iso"), result.CachedIsoPath);
        Assert.Equal(File.ReadAllBytes(iso), File.ReadAllBytes(result.CachedIsoPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(expectedRoot, "cache")));
        }

        Assert.Null(result.Backup);
        Assert.Equal(["boot2docker.iso", "boot2docker.iso.b2ik.json"], Directory.GetFiles(Path.Combine(expectedRoot, "cache")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var record = SeedRecord.FromJson(await File.ReadAllTextAsync(result.CachedIsoPath + ".b2ik.json", TestContext.Current.CancellationToken));
        Assert.Equal(Sha256(iso), record.Manifest.Sha256);
        Assert.Equal(new FileInfo(iso).Length, record.Manifest.Size);
        Assert.Equal(("b2d-v20.10.24", "v20.10.24", "experimental", "20.10.24"), (record.Manifest.VolumeId, record.Manifest.LabelVersion, record.Manifest.Recipe, record.Manifest.EngineVersion));
        Assert.Equal("ab12", record.Manifest.Inputs["base"]);
        Assert.Equal("2026-11-28T05:45:09Z", record.SeededAt);
        Assert.Equal(CacheBehaviour.KeptOfflineReplacedOnline, result.Report.Behaviour);
        Assert.Contains(result.Report.Notes, n => n.Contains("os-release was not checked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_os_release_probe_takes_part_in_the_refusal()
    {
        Requires.Tool("xorriso");
        var iso = await SmallIso.BuildAsync(_directory, "debian", "b2d-v20.10.24", elTorito: true, osRelease: "ID=debian\n", cancellationToken: TestContext.Current.CancellationToken);
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);

        var error = Assert.Throws<IsoNotSeedableException>(() => new CacheSeeder(new XorrisoOsReleaseProbe()).Seed(new SeedRequest { IsoPath = iso, Store = store }));

        Assert.Contains("ID=debian", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store.Root));
    }

    [Fact]
    public void A_missing_ISO_is_named_in_the_error()
    {
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        var missing = Path.Combine(_directory, "nope.iso");

        var error = Assert.Throws<InvalidInputException>(() => new CacheSeeder().Seed(new SeedRequest { IsoPath = missing, Store = store }));

        Assert.Equal(missing, error.Input);
    }

    [Fact]
    public async Task An_existing_ISO_and_its_record_are_kept_as_timestamped_backups_that_are_never_overwritten()
    {
        Requires.Tool("xorriso");
        var first = await Iso("b2d-v19.03.12", "first");
        var second = await Iso("b2d-v20.10.24", "second");
        var third = await Iso("b2d-v24.0.7", "third");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        var seeder = new CacheSeeder(clock: new FixedClock(Now));

        seeder.Seed(new SeedRequest { IsoPath = first, Store = store });
        var replacedFirst = seeder.Seed(new SeedRequest { IsoPath = second, Store = store });
        var replacedSecond = seeder.Seed(new SeedRequest { IsoPath = third, Store = store }); // same second: a new name

        Assert.Equal("boot2docker.iso.20261128T054509Z.bak", replacedFirst.Backup);
        Assert.Equal("boot2docker.iso.20261128T054509Z.2.bak", replacedSecond.Backup);
        Assert.Equal(replacedFirst.Backup, replacedFirst.Record.Backup);
        Assert.Equal(Sha256(first), Sha256(Path.Combine(store.CacheDirectory, replacedFirst.Backup!)));
        Assert.Equal(Sha256(second), Sha256(Path.Combine(store.CacheDirectory, replacedSecond.Backup!)));
        Assert.Equal(Sha256(third), Sha256(store.CachedIsoPath));
        var firstRecord = SeedRecord.FromJson(File.ReadAllText(Path.Combine(store.CacheDirectory, replacedFirst.Backup + ".b2ik.json")));
        Assert.Equal(Sha256(first), firstRecord.Manifest.Sha256);
        Assert.Equal([replacedFirst.Backup!, replacedSecond.Backup!], CacheSeeder.ListBackups(store));
        Assert.Empty(Directory.GetFiles(store.CacheDirectory, "*.tmp"));
    }

    [Fact]
    public async Task Seeding_the_same_ISO_again_makes_no_duplicate_backup()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v20.10.24", "new");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        var seeder = new CacheSeeder(clock: new FixedClock(Now));

        seeder.Seed(new SeedRequest { IsoPath = iso, Store = store });
        var again = seeder.Seed(new SeedRequest { IsoPath = iso, Store = store, Provenance = new IsoProvenance { Recipe = "again" } });

        Assert.Null(again.Backup);
        Assert.Empty(CacheSeeder.ListBackups(store));
        Assert.Equal("again", SeedRecord.FromJson(File.ReadAllText(store.CachedIsoPath + ".b2ik.json")).Manifest.Recipe);
    }

    [Fact]
    public async Task A_foreign_ISO_without_a_record_is_backed_up_too()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v20.10.24", "new");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        Directory.CreateDirectory(store.CacheDirectory);
        await File.WriteAllTextAsync(store.CachedIsoPath, "upstream iso", TestContext.Current.CancellationToken);

        var result = new CacheSeeder(clock: new FixedClock(Now)).Seed(new SeedRequest { IsoPath = iso, Store = store });

        Assert.Equal("upstream iso", File.ReadAllText(Path.Combine(store.CacheDirectory, result.Backup!)));
        Assert.False(File.Exists(Path.Combine(store.CacheDirectory, result.Backup + ".b2ik.json")));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(100_000L)]
    public async Task A_failure_in_the_middle_of_the_write_keeps_the_old_ISO_and_leaves_no_partial_file(long failAfter)
    {
        Requires.Tool("xorriso");
        var old = await Iso("b2d-v19.03.12", "old");
        var iso = await Iso("b2d-v20.10.24", "new");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        new CacheSeeder(clock: new FixedClock(Now)).Seed(new SeedRequest { IsoPath = old, Store = store });
        var before = Directory.GetFiles(store.CacheDirectory).Order(StringComparer.Ordinal).ToArray();
        var recordBefore = File.ReadAllText(store.CachedIsoPath + ".b2ik.json");
        var failing = new CacheSeeder(null, new FixedClock(Now.AddMinutes(1)), path => new FailingStream(File.OpenRead(path), failAfter));

        var error = Assert.Throws<IOException>(() => failing.Seed(new SeedRequest { IsoPath = iso, Store = store }));

        Assert.Equal("injected read failure", error.Message);
        Assert.Equal(Sha256(old), Sha256(store.CachedIsoPath));
        Assert.Equal(recordBefore, File.ReadAllText(store.CachedIsoPath + ".b2ik.json"));
        Assert.Equal(before, Directory.GetFiles(store.CacheDirectory).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_ISO_whose_label_docker_machine_cannot_parse_is_refused_and_nothing_is_written_unless_forced()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("Boot2Docker", "nolabel");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        var seeder = new CacheSeeder(clock: new FixedClock(Now));

        var error = Assert.Throws<IsoNotSeedableException>(() => seeder.Seed(new SeedRequest { IsoPath = iso, Store = store }));

        Assert.Contains("Did not find prefix \"-v\" in version string", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store.Root));

        var forced = seeder.Seed(new SeedRequest { IsoPath = iso, Store = store, Force = true });
        Assert.Equal(Sha256(iso), Sha256(forced.CachedIsoPath));
        Assert.Null(forced.Record.Manifest.LabelVersion);
        Assert.Equal(CacheBehaviour.Refused, forced.Report.Behaviour);
        Assert.Contains(forced.Report.Notes, n => n.StartsWith("Seeded despite: docker-machine cannot read a version", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restore_puts_the_newest_backup_back_after_backing_up_the_current_ISO()
    {
        Requires.Tool("xorriso");
        var first = await Iso("b2d-v19.03.12", "first");
        var second = await Iso("b2d-v20.10.24", "second");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        new CacheSeeder(clock: new FixedClock(Now)).Seed(new SeedRequest { IsoPath = first, Store = store, Provenance = new IsoProvenance { Recipe = "first" } });
        new CacheSeeder(clock: new FixedClock(Now.AddHours(1))).Seed(new SeedRequest { IsoPath = second, Store = store });

        var restored = new CacheSeeder(clock: new FixedClock(Now.AddHours(2))).Restore(store);

        Assert.Equal("boot2docker.iso.20261128T064509Z.bak", restored.RestoredFrom);
        Assert.Equal("boot2docker.iso.20261128T074509Z.bak", restored.BackupOfReplaced);
        Assert.Equal(Sha256(first), Sha256(store.CachedIsoPath));
        Assert.Equal(Sha256(second), Sha256(Path.Combine(store.CacheDirectory, restored.BackupOfReplaced!)));
        Assert.True(File.Exists(Path.Combine(store.CacheDirectory, restored.RestoredFrom)));
        Assert.Equal("first", SeedRecord.FromJson(File.ReadAllText(store.CachedIsoPath + ".b2ik.json")).Manifest.Recipe);
    }

    [Fact]
    public async Task Restoring_a_backup_without_a_record_removes_the_stale_record()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v20.10.24", "new");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        Directory.CreateDirectory(store.CacheDirectory);
        await File.WriteAllTextAsync(store.CachedIsoPath, "upstream iso", TestContext.Current.CancellationToken);
        var seeded = new CacheSeeder(clock: new FixedClock(Now)).Seed(new SeedRequest { IsoPath = iso, Store = store });

        var restored = new CacheSeeder(clock: new FixedClock(Now.AddHours(1))).Restore(store, seeded.Backup);

        Assert.Equal("upstream iso", File.ReadAllText(store.CachedIsoPath));
        Assert.False(File.Exists(store.CachedIsoPath + ".b2ik.json"));
        Assert.True(File.Exists(Path.Combine(store.CacheDirectory, restored.BackupOfReplaced + ".b2ik.json")));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("boot2docker.iso.20990101T000000Z.bak")]
    public void Restore_refuses_a_name_that_is_not_one_of_the_backups(string name)
    {
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);

        Assert.Throws<InvalidInputException>(() => new CacheSeeder().Restore(store, name));
    }

    [Fact]
    public async Task The_machine_option_replaces_the_machines_copy_with_a_backup()
    {
        Requires.Tool("xorriso");
        var old = await Iso("b2d-v19.03.12", "old");
        var iso = await Iso("b2d-v20.10.24", "new");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);
        var machineDirectory = Path.Combine(store.Root, "machines", "dev");
        Directory.CreateDirectory(machineDirectory);
        File.Copy(old, Path.Combine(machineDirectory, "boot2docker.iso"));

        var result = new CacheSeeder(clock: new FixedClock(Now)).Seed(new SeedRequest { IsoPath = iso, Store = store, MachineName = "dev" });

        Assert.Equal(Path.Combine(machineDirectory, "boot2docker.iso"), result.MachineIsoPath);
        Assert.Equal(Sha256(iso), Sha256(result.MachineIsoPath!));
        Assert.Equal(Sha256(old), Sha256(Path.Combine(machineDirectory, result.MachineBackup!)));
        Assert.Equal(Sha256(iso), Sha256(store.CachedIsoPath));
        Assert.Contains(result.Report.Notes, n => n.Contains("docker-machine restart dev", StringComparison.Ordinal) && n.Contains(result.MachineBackup!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_machine_option_refuses_a_machine_that_does_not_exist_before_writing_anything()
    {
        Requires.Tool("xorriso");
        var iso = await Iso("b2d-v20.10.24", "new");
        var store = MachineStore.Resolve(Path.Combine(_directory, "store"), Env(null), _directory);

        var error = Assert.Throws<Boot2IsoKitException>(() => new CacheSeeder().Seed(new SeedRequest { IsoPath = iso, Store = store, MachineName = "ghost" }));

        Assert.Contains("ghost", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store.Root));
    }
}
