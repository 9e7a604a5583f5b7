using System.Globalization;
using Boot2IsoKit.Errors;
using Boot2IsoKit.Initramfs;
using Boot2IsoKit.MachineCache;

namespace Boot2IsoKit.Pipeline;

/// <summary>
/// Every command-line argument of the pipeline, read in one place. The Cake script passes a lookup
/// (name → value, or null when absent); flags count as set when present with no value or "true".
/// </summary>
public sealed record PipelineArguments
{
    /// <summary>The names this pipeline understands, with their meaning (shown by the Default target).</summary>
    public static readonly IReadOnlyList<(string Name, string Meaning)> Known =
    [
        ("recipe", "recipe YAML (default recipes/experimental.yml)"),
        ("base-iso", "local base ISO instead of the recipe's release"),
        ("engine-version", "engine version to pin instead of the recipe's"),
        ("engine-tgz", "local engine tgz (offline)"),
        ("engine-url", "engine tgz URL instead of the channel's"),
        ("builder", "native (default) or docker"),
        ("base-image", "docker builder: base image instead of boot2docker/boot2docker:<release>"),
        ("no-cache", "docker builder: run every step again instead of reusing layers of earlier builds"),
        ("initrd", "append (default) or merge"),
        ("label", "truthful (default) or upstream-tag"),
        ("offline", "build only from local files and the input cache"),
        ("cache-dir", "input cache directory (default artifacts/cache)"),
        ("output", "output ISO path"),
        ("iso", "SeedCache/Bundle/Inspect/Verify: the ISO to use (default: the last build's)"),
        ("verify", "build targets: boot the new ISO in QEMU and check it, as --target=Verify does"),
        ("accel", "Verify: tcg (default) or kvm"),
        ("compare", "Inspect: a base ISO to compare with"),
        ("storage-path", "SeedCache: docker-machine store (default MACHINE_STORAGE_PATH, ~/.docker/machine)"),
        ("machine", "SeedCache: also replace this machine's ISO copy"),
        ("restore", "SeedCache: put the newest (or the named) backup back"),
        ("force", "SeedCache: seed even an ISO docker-machine would not accept"),
    ];

    public string RecipePath { get; init; } = "recipes/experimental.yml";

    public string? BaseIso { get; init; }

    public string? EngineVersion { get; init; }

    public string? EngineTgz { get; init; }

    public string? EngineUrl { get; init; }

    public BuilderKind Builder { get; init; } = BuilderKind.Native;

    public string? BaseImage { get; init; }

    public bool NoCache { get; init; }

    public InitrdOverlayMode? Initrd { get; init; }

    public LabelStrategy? Label { get; init; }

    public bool Offline { get; init; }

    public string? CacheDirectory { get; init; }

    public string? Output { get; init; }

    public string? Iso { get; init; }

    public string? Compare { get; init; }

    public string? StoragePath { get; init; }

    public string? Machine { get; init; }

    /// <summary>"" = the newest backup; a name = that backup; null = no restore.</summary>
    public string? Restore { get; init; }

    public bool Force { get; init; }

    /// <summary>Build targets run Verify on the new ISO.</summary>
    public bool Verify { get; init; }

    public Verification.VmAccelerator? Accelerator { get; init; }

    public static PipelineArguments Read(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return new PipelineArguments
        {
            RecipePath = lookup("recipe") ?? "recipes/experimental.yml",
            BaseIso = lookup("base-iso"),
            EngineVersion = lookup("engine-version"),
            EngineTgz = lookup("engine-tgz"),
            EngineUrl = lookup("engine-url"),
            Builder = Choice(lookup, "builder", ("native", BuilderKind.Native), ("docker", BuilderKind.Docker)) ?? BuilderKind.Native,
            BaseImage = lookup("base-image"),
            NoCache = Flag(lookup, "no-cache"),
            Initrd = Choice(lookup, "initrd", ("append", InitrdOverlayMode.Append), ("merge", InitrdOverlayMode.Merge)),
            Label = Choice(lookup, "label", ("truthful", LabelStrategy.Truthful), ("upstream-tag", LabelStrategy.UpstreamTag)),
            Offline = Flag(lookup, "offline"),
            CacheDirectory = lookup("cache-dir"),
            Output = lookup("output"),
            Iso = lookup("iso"),
            Compare = lookup("compare"),
            StoragePath = lookup("storage-path"),
            Machine = lookup("machine"),
            Restore = lookup("restore") is { } restore ? (restore is "true" ? "" : restore) : null,
            Force = Flag(lookup, "force"),
            Verify = Flag(lookup, "verify"),
            Accelerator = Choice(lookup, "accel", ("tcg", Verification.VmAccelerator.Tcg), ("kvm", Verification.VmAccelerator.Kvm)),
        };
    }

    private static bool Flag(Func<string, string?> lookup, string name) =>
        lookup(name) switch
        {
            null => false,
            "" or "true" => true,
            "false" => false,
            var other => throw new InvalidInputException("--" + name, "command line", string.Create(CultureInfo.InvariantCulture, $"'{other}' is not true or false")),
        };

    private static T? Choice<T>(Func<string, string?> lookup, string name, params (string Word, T Value)[] choices)
        where T : struct
    {
        var word = lookup(name);
        if (word is null)
        {
            return null;
        }

        foreach (var (candidate, value) in choices)
        {
            if (string.Equals(candidate, word, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new InvalidInputException("--" + name, "command line", $"'{word}' is not one of: {string.Join(", ", choices.Select(c => c.Word))}");
    }
}

/// <summary>Which engine builds the ISO.</summary>
public enum BuilderKind
{
    /// <summary>In-process remaster in pure .NET: no Docker, no xorriso, no root.</summary>
    Native,

    /// <summary>A rendered Dockerfile built through the Docker Engine API.</summary>
    Docker,
}
