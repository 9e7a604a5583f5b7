using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>
/// Boot2docker-layout fixture ISOs built from Debian packages and cached under
/// <c>&lt;repo&gt;/artifacts/fixtures/&lt;key&gt;/</c>. Concurrent callers (threads or test processes) wait for
/// one build; a fixture directory appears only complete (built in a temporary directory, then renamed).
/// </summary>
public static class FixtureIsos
{
    /// <summary>Part of every cache key: raise it whenever the builder's output changes.</summary>
    public const int BuilderVersion = 8;

    private const string MetadataFileName = "fixture.json";

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>The fixture for a layout and options, building it first if it is not cached.</summary>
    public static Task<FixtureIso> GetAsync(FixtureLayout layout, FixtureOptions? options = null, CancellationToken ct = default) =>
        GetAsync(layout, options, progress: null, ct);

    /// <inheritdoc cref="GetAsync(FixtureLayout, FixtureOptions?, CancellationToken)"/>
    /// <param name="progress">Optional: told when a (slow, cold) build starts.</param>
    public static async Task<FixtureIso> GetAsync(FixtureLayout layout, FixtureOptions? options, Action<string>? progress, CancellationToken ct = default)
    {
        options ??= new FixtureOptions();
        Validate(options);
        var key = CacheKey(layout, options);
        var root = Path.Combine(RepositoryRoot.Find(), "artifacts", "fixtures");
        var directory = Path.Combine(root, key);
        if (TryLoad(directory, layout) is { } cached)
        {
            return cached;
        }

        var gate = Gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(root);
            // Another test process may be building the same fixture: the lock file serialises them.
            await using var processLock = await AcquireFileLockAsync(Path.Combine(root, key + ".lock"), ct).ConfigureAwait(false);
            if (TryLoad(directory, layout) is { } builtMeanwhile)
            {
                return builtMeanwhile;
            }

            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("Fixture ISOs are built with apt, dpkg-deb, cpio and xorriso: Linux (Debian) only.");
            }

            // Holding the lock, no other builder of this key is running: half builds left by a killed
            // process can go.
            foreach (var stale in Directory.GetDirectories(root, $".build-{key}-*"))
            {
                TryDelete(stale);
            }

            progress?.Invoke($"building fixture {key} from Debian packages...");
            var temporary = Path.Combine(root, $".build-{key}-{Guid.NewGuid():N}");
            try
            {
                var glibcVersion = await new FixtureBuilder(layout, options, temporary).BuildAsync(ct).ConfigureAwait(false);
                var metadata = new Metadata(layout, FixtureBuilder.VolumeIdOf(layout), FixtureBuilder.EngineVersionOf(layout), glibcVersion, options);
                await File.WriteAllTextAsync(Path.Combine(temporary, MetadataFileName), JsonSerializer.Serialize(metadata), ct).ConfigureAwait(false);
                Directory.Move(temporary, directory);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }

            return TryLoad(directory, layout) ?? throw new InvalidOperationException($"Fixture {directory} was built but cannot be read back.");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Directory name of a fixture, e.g. <c>new-bookworm-lib64-pad0-v1</c>.</summary>
    public static string CacheKey(FixtureLayout layout, FixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture,
            $"{layout.ToString().ToLowerInvariant()}-{options.GlibcSuite}-{(options.Lib64Link ? "lib64" : "nolib64")}-{(options.PaddingMegabytes > 0 ? "elfpad" : "pad")}{options.PaddingMegabytes}-v{BuilderVersion}");
    }

    private static void Validate(FixtureOptions options)
    {
        if (string.IsNullOrEmpty(options.GlibcSuite) || !options.GlibcSuite.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"GlibcSuite '{options.GlibcSuite}' is not a Debian suite name.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.PaddingMegabytes);
    }

    private static FixtureIso? TryLoad(string directory, FixtureLayout layout)
    {
        var metadataPath = Path.Combine(directory, MetadataFileName);
        if (!File.Exists(metadataPath))
        {
            return null;
        }

        var metadata = JsonSerializer.Deserialize<Metadata>(File.ReadAllText(metadataPath))
            ?? throw new InvalidOperationException($"{metadataPath} is empty; delete {directory} to rebuild it.");
        return new FixtureIso(
            Path.Combine(directory, FixtureBuilder.IsoFileName),
            layout,
            metadata.VolumeId,
            metadata.EngineVersion,
            Path.Combine(directory, FixtureBuilder.RootfsDirectoryName),
            metadata.GlibcVersion,
            Path.Combine(directory, FixtureBuilder.IsoTreeDirectoryName));
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover .build-* directory is harmless: it is never read as a fixture.
        }
    }

    private sealed record Metadata(FixtureLayout Layout, string VolumeId, string EngineVersion, string GlibcVersion, FixtureOptions Options);
}
