using System.Security.Cryptography;
using Boot2IsoKit.Stages.Bundle;
using Boot2IsoKit.Stages.MachineCache;
using Boot2IsoKit.Testing.Bundle;
using Boot2IsoKit.Testing.MachineCache;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Bundle;

/// <summary>Unpacks a real bundle and runs its seed scripts under dash, busybox sh and PowerShell in temporary homes.</summary>
public sealed class SeedScriptTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-seedscript-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> Shells => ["sh", "busybox", "pwsh"];

    /// <summary>Builds an ISO, bundles it, unpacks the tar.gz with tar; returns the bundle directory.</summary>
    private async Task<string> UnpackedBundleAsync(string label = "b2d-v20.10.24")
    {
        Requires.Tools("xorriso", "tar");
        var iso = await SmallIso.BuildAsync(_directory, "input", label, elTorito: true, payload: 200_000, cancellationToken: Cancel);
        var result = BundleWriter.Write(new BundleRequest
        {
            IsoPath = iso,
            Name = "bundle",
            OutputDirectory = Path.Combine(_directory, "out"),
            Timestamp = DateTimeOffset.UnixEpoch,
            Provenance = new IsoProvenance { Recipe = "experimental", EngineVersion = "20.10.24" },
        });
        var unpacked = Directory.CreateDirectory(Path.Combine(_directory, "unpacked")).FullName;
        await ExternalTool.RunCheckedAsync("tar", ["-xzf", result.TarGzPath, "-C", unpacked], cancellationToken: Cancel);
        return Path.Combine(unpacked, "bundle");
    }

    private async Task<ToolResult> SeedAsync(string shell, string bundle, string home, string? storageVariable = null, params string[] arguments)
    {
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string> { ["HOME"] = home, ["MACHINE_STORAGE_PATH"] = storageVariable ?? "" };
        switch (shell)
        {
            case "pwsh":
                if (!await Pwsh.IsAvailableAsync())
                {
                    Requires.Missing("'dotnet tool restore' could not provide pwsh");
                }

                return await Pwsh.RunScriptAsync(Path.Combine(bundle, "seed.ps1"), arguments, environment, cancellationToken: Cancel);
            case "busybox":
                Requires.Tool("busybox");
                return await ExternalTool.RunAsync("busybox", ["sh", Path.Combine(bundle, "seed.sh"), .. arguments], _directory, environment: environment, cancellationToken: Cancel);
            default:
                Requires.Tool("sh");
                return await ExternalTool.RunAsync("sh", [Path.Combine(bundle, "seed.sh"), .. arguments], _directory, environment: environment, cancellationToken: Cancel);
        }
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static void AssertSucceeded(ToolResult result) =>
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StandardError}\n{result.StandardOutput}");

    private static string ScriptName(string shell) => shell == "pwsh" ? "seed.ps1" : "seed.sh";

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task The_script_seeds_the_default_store_under_HOME_and_keeps_the_old_ISO_on_the_next_run(string shell)
    {
        var bundle = await UnpackedBundleAsync();
        var home = Path.Combine(_directory, "home");
        var cache = Path.Combine(home, ".docker", "machine", "cache");
        var iso = Path.Combine(cache, "boot2docker.iso");

        var first = await SeedAsync(shell, bundle, home);

        AssertSucceeded(first);
        Assert.Equal(Sha256(Path.Combine(bundle, "boot2docker.iso")), Sha256(iso));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cache));
        }

        var record = SeedRecord.FromJson(File.ReadAllText(iso + ".b2ik.json"));
        Assert.Equal((ScriptName(shell), null, Sha256(iso), "v20.10.24"), (record.SeededBy, record.Backup, record.Manifest.Sha256, record.Manifest.LabelVersion));
        Assert.Contains($"--virtualbox-boot2docker-url 'file://{iso}' default", first.StandardOutput.Replace($"url file://{iso} ", $"url 'file://{iso}' ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("REPLACES", first.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("docker-machine create -d virtualbox default", first.StandardOutput, StringComparison.Ordinal);

        // The same ISO seeded again needs no backup.
        AssertSucceeded(await SeedAsync(shell, bundle, home));
        Assert.Empty(Directory.GetFiles(cache, "*.bak"));

        // A foreign ISO in the cache (say upstream's) is kept as a backup, with the record of what it replaced.
        File.WriteAllText(iso, "upstream iso");
        var second = await SeedAsync(shell, bundle, home);

        AssertSucceeded(second);
        Assert.Equal(Sha256(Path.Combine(bundle, "boot2docker.iso")), Sha256(iso));
        var backup = Assert.Single(Directory.GetFiles(cache, "boot2docker.iso.*.bak"));
        Assert.Matches(@"/boot2docker\.iso\.\d{8}T\d{6}Z\.bak$", backup);
        Assert.Equal("upstream iso", File.ReadAllText(backup));
        Assert.Equal(Path.GetFileName(backup), SeedRecord.FromJson(File.ReadAllText(iso + ".b2ik.json")).Backup);
        Assert.Equal(record.Manifest.Sha256, SeedRecord.FromJson(File.ReadAllText(backup + ".b2ik.json")).Manifest.Sha256);
        Assert.Empty(Directory.GetFiles(cache, "*.tmp"));

        // The C# restore reads what the script wrote.
        var restored = new CacheSeeder().Restore(MachineStore.Resolve(null, _ => null, home));
        Assert.Equal("upstream iso", File.ReadAllText(iso));
        Assert.Equal(Path.GetFileName(backup), restored.RestoredFrom);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task The_environment_variable_and_the_argument_choose_the_store_like_docker_machine(string shell)
    {
        var bundle = await UnpackedBundleAsync("b2d-v19.03.12");
        var home = Path.Combine(_directory, "home");
        var fromVariable = Path.Combine(_directory, "env store");
        var fromArgument = Path.Combine(_directory, "arg#store");

        var viaVariable = await SeedAsync(shell, bundle, home, fromVariable);
        var viaArgument = await SeedAsync(shell, bundle, home, fromVariable, "--storage-path", fromArgument);

        AssertSucceeded(viaVariable);
        AssertSucceeded(viaArgument);
        Assert.False(Directory.Exists(Path.Combine(home, ".docker")));
        var expected = Sha256(Path.Combine(bundle, "boot2docker.iso"));
        Assert.Equal(expected, Sha256(Path.Combine(fromVariable, "cache", "boot2docker.iso")));
        Assert.Equal(expected, Sha256(Path.Combine(fromArgument, "cache", "boot2docker.iso")));
        Assert.Empty(Directory.GetFiles(Path.Combine(fromVariable, "cache"), "*.bak"));
        // A non-default store goes before 'create' as the global flag; the URL escapes what Go's url.Parse would misread.
        Assert.Contains($"docker-machine -s '{fromArgument}' create -d virtualbox", viaArgument.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"file://{fromArgument.Replace("#", "%23", StringComparison.Ordinal)}/cache/boot2docker.iso", viaArgument.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("keeps it online and offline", viaVariable.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task A_corrupted_ISO_is_refused_and_nothing_is_touched(string shell)
    {
        var bundle = await UnpackedBundleAsync();
        using (var stream = new FileStream(Path.Combine(bundle, "boot2docker.iso"), FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 100_000;
            var value = stream.ReadByte();
            stream.Position = 100_000;
            stream.WriteByte((byte)(value ^ 0xFF));
        }

        var home = Path.Combine(_directory, "home");
        var store = Path.Combine(_directory, "store");
        Directory.CreateDirectory(Path.Combine(store, "cache"));
        File.WriteAllText(Path.Combine(store, "cache", "boot2docker.iso"), "the ISO in use");

        var intoHome = await SeedAsync(shell, bundle, home);
        var intoStore = await SeedAsync(shell, bundle, home, store);

        Assert.NotEqual(0, intoHome.ExitCode);
        Assert.NotEqual(0, intoStore.ExitCode);
        Assert.Contains("SHA256SUMS", intoStore.StandardError, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", intoStore.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(home, ".docker")));
        Assert.Equal(["boot2docker.iso"], Directory.GetFiles(Path.Combine(store, "cache")).Select(Path.GetFileName));
        Assert.Equal("the ISO in use", File.ReadAllText(Path.Combine(store, "cache", "boot2docker.iso")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task An_unknown_argument_is_refused_before_anything_happens(string shell)
    {
        var bundle = await UnpackedBundleAsync();
        var home = Path.Combine(_directory, "home");

        var result = await SeedAsync(shell, bundle, home, null, "--storage-pth", "/tmp/x");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown argument '--storage-pth'", result.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(home, ".docker")));
    }
}
