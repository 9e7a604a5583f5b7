using System.Globalization;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.MachineCache;
using Boot2IsoKit.Stages.Planning;

namespace Boot2IsoKit.Stages.Pipeline;

/// <summary>
/// Every command-line argument of the pipeline, read in one place from one table: <see cref="Table"/>
/// names each argument, says what it means and parses it. The Default target's listing, the parser and
/// the README's argument list all come from it (a test holds the README to it). A name the table does
/// not know is refused before any work, with the closest known name, so a typo never builds another ISO.
/// </summary>
public sealed record PipelineArguments
{
    /// <summary>The arguments, in the order the listing shows them.</summary>
    public static readonly IReadOnlyList<ArgumentDefinition> Table =
    [
        new("recipe", "PATH", "recipe YAML (default recipes/experimental.yml)", (a, v) => a with { RecipePath = v }),
        new("base-iso", "PATH", "local base ISO instead of the recipe's release", (a, v) => a with { BaseIso = v }),
        new("engine-version", "X.Y.Z", "engine version to pin instead of the recipe's", (a, v) => a with { EngineVersion = Version("engine-version", v) }),
        new("engine-tgz", "PATH", "local engine tgz (offline)", (a, v) => a with { EngineTgz = v }),
        new("engine-url", "URL", "engine tgz URL instead of the channel's", (a, v) => a with { EngineUrl = AbsoluteUrl("engine-url", v) }),
        new("builder", "native|docker", "native (default) or docker", (a, v) => a with { Builder = Choice("builder", v, ("native", BuilderKind.Native), ("docker", BuilderKind.Docker)) }),
        new("base-image", "NAME", "docker builder: base image instead of boot2docker/boot2docker:<release>", (a, v) => a with { BaseImage = v }),
        new("no-cache", null, "docker builder: run every step again instead of reusing layers of earlier builds", (a, v) => a with { NoCache = Flag("no-cache", v) }),
        new("initrd", "append|merge", "append (default) or merge", (a, v) => a with { Initrd = Choice("initrd", v, ("append", InitrdOverlayMode.Append), ("merge", InitrdOverlayMode.Merge)) }),
        new("initrd-compression", "xz|lzma", "merge of an lzma or xz base: xz on every core (default) or legacy lzma, for a kernel without XZ", (a, v) => a with { MergeCompression = Choice("initrd-compression", v, ("xz", InitrdCompression.Xz), ("lzma", InitrdCompression.Lzma)) }),
        new("label", "truthful|upstream-tag", "truthful (default) or upstream-tag", (a, v) => a with { Label = Choice("label", v, ("truthful", LabelStrategy.Truthful), ("upstream-tag", LabelStrategy.UpstreamTag)) }),
        new("allow-expired-certificates", null, "bake the recipe's expired certificates with a warning instead of stopping", (a, v) => a with { AllowExpiredCertificates = Flag("allow-expired-certificates", v) }),
        new("offline", null, "build only from local files and the input cache", (a, v) => a with { Offline = Flag("offline", v) }),
        new("refresh", null, "ask the Debian mirror for its index again, even when the cached one is under 6 hours old", (a, v) => a with { Refresh = Flag("refresh", v) }),
        new("cache-dir", "PATH", "input cache directory (default artifacts/cache)", (a, v) => a with { CacheDirectory = v }),
        new("output", "PATH", "output ISO path", (a, v) => a with { Output = v }),
        new("iso", "PATH", "SeedCache/Bundle/Inspect/Verify: the ISO to use (default: Inspect takes the last build's, the others build the recipe first)", (a, v) => a with { Iso = v }),
        new("verify", null, "build targets: boot the new ISO in QEMU and check it, as --target=Verify does", (a, v) => a with { Verify = Flag("verify", v) }),
        new("accel", "tcg|kvm", "Verify: tcg (default) or kvm", (a, v) => a with { Accelerator = Choice("accel", v, ("tcg", Boot2IsoKit.Stages.Verification.VmAccelerator.Tcg), ("kvm", Boot2IsoKit.Stages.Verification.VmAccelerator.Kvm)) }),
        new("no-network", null, "Verify: boot with no network but the SSH port, as on an air-gapped site (preloaded images must come from the ISO)", (a, v) => a with { NoNetwork = Flag("no-network", v) }),
        new("compare", "PATH", "Inspect: a base ISO to compare with", (a, v) => a with { Compare = v }),
        new("storage-path", "PATH", "SeedCache: docker-machine store (default MACHINE_STORAGE_PATH, ~/.docker/machine)", (a, v) => a with { StoragePath = v }),
        new("machine", "NAME", "SeedCache: also replace this machine's ISO copy", (a, v) => a with { Machine = v }),
        new("restore", "[NAME]", "SeedCache: put the newest (or the named) backup back", (a, v) => a with { Restore = v is "" or "true" ? "" : v }),
        new("force", null, "SeedCache: seed even an ISO docker-machine would not accept", (a, v) => a with { Force = Flag("force", v) }),
        new("quick", null, "Bench: one run per case", (a, v) => a),
    ];

    /// <summary>
    /// Cake's own switches and settings, which reach the script's argument list too and are Cake's to read
    /// (see Cake's documentation of its command line).
    /// </summary>
    public static readonly IReadOnlyList<string> CakeSwitches =
        ["target", "verbosity", "v", "dryrun", "noop", "whatif", "tree", "description", "showdescription", "exclusive", "e", "debug", "d", "info", "version", "bootstrap", "skip-bootstrap", "help", "h"];

    /// <summary>The recipe that a target without a recipe of its own builds, when no --recipe is given.</summary>
    public const string DefaultRecipe = "recipes/experimental.yml";

    /// <summary>--recipe as given (relative to where the user ran the script); null when it was not given.</summary>
    public string? RecipePath { get; init; }

    public string? BaseIso { get; init; }

    public string? EngineVersion { get; init; }

    public string? EngineTgz { get; init; }

    public Uri? EngineUrl { get; init; }

    internal BuilderKind Builder { get; init; } = BuilderKind.Native;

    public string? BaseImage { get; init; }

    public bool NoCache { get; init; }

    internal InitrdOverlayMode? Initrd { get; init; }

    internal InitrdCompression? MergeCompression { get; init; }

    internal LabelStrategy? Label { get; init; }

    public bool AllowExpiredCertificates { get; init; }

    public bool Offline { get; init; }

    public bool Refresh { get; init; }

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

    internal Boot2IsoKit.Stages.Verification.VmAccelerator? Accelerator { get; init; }

    /// <summary>Verify boots with the guest cut off every network but its SSH port.</summary>
    public bool NoNetwork { get; init; }

    /// <summary>
    /// Parses every given argument (name without the leading dashes → value; "" or "true" for a bare flag).
    /// Cake's own switches and <c>settings_*</c> / <c>paths_*</c> overrides are left to Cake.
    /// </summary>
    /// <exception cref="InvalidInputException">An unknown name (with the closest known one) or a bad value.</exception>
    public static PipelineArguments Read(IReadOnlyDictionary<string, string> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        var arguments = new PipelineArguments();
        foreach (var (rawName, value) in given.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var name = rawName.ToLowerInvariant();
            if (CakeSwitches.Contains(name) || name.StartsWith("settings_", StringComparison.Ordinal) || name.StartsWith("paths_", StringComparison.Ordinal))
            {
                continue;
            }

            var definition = Table.FirstOrDefault(d => d.Name == name)
                ?? throw new InvalidInputException("--" + rawName, "command line", $"is not an argument of this pipeline{Suggestion(name)}; ./build.sh lists them");
            arguments = definition.Apply(arguments, value);
        }

        return arguments;
    }

    /// <summary>", did you mean --X?" for the known name nearest to <paramref name="name"/>, when one is near.</summary>
    private static string Suggestion(string name)
    {
        var nearest = Table.Select(d => d.Name).Concat(CakeSwitches.Where(s => s.Length > 2))
            .Select(known => (Known: known, Distance: EditDistance(name, known)))
            .MinBy(c => c.Distance);
        return nearest.Distance <= Math.Max(2, name.Length / 3) ? $" (did you mean --{nearest.Known}?)" : "";
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static bool Flag(string name, string value) =>
        value switch
        {
            "" or "true" => true,
            "false" => false,
            _ => throw new InvalidInputException("--" + name, "command line", string.Create(CultureInfo.InvariantCulture, $"'{value}' is not true or false")),
        };

    private static T Choice<T>(string name, string word, params (string Word, T Value)[] choices)
    {
        foreach (var (candidate, value) in choices)
        {
            if (string.Equals(candidate, word, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new InvalidInputException("--" + name, "command line", $"'{word}' is not one of: {string.Join(", ", choices.Select(c => c.Word))}");
    }

    /// <summary>An engine version as download sites spell it, checked by its owner (<see cref="Boot2IsoKit.Inputs.Engines.EngineVersion"/>), as a recipe's is.</summary>
    private static string Version(string name, string value) =>
        Boot2IsoKit.Inputs.Engines.EngineVersion.TryParseExact(value, out _)
            ? value
            : throw new InvalidInputException("--" + name, "command line", $"'{value}' is not an engine version like 20.10.24, 17.06.0-ce or 1.12.0-rc4");

    private static Uri AbsoluteUrl(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" or "file"
            ? url
            : throw new InvalidInputException("--" + name, "command line", $"'{value}' is not an absolute http(s) or file URL");
}

/// <summary>One row of <see cref="PipelineArguments.Table"/>.</summary>
/// <param name="Name">The name after the two dashes.</param>
/// <param name="Value">What the value looks like (PATH, native|docker); null for a flag.</param>
/// <param name="Meaning">One line for the listing and the README.</param>
/// <param name="Apply">Parses the value into the arguments; throws <see cref="InvalidInputException"/> on a bad one.</param>
public sealed record ArgumentDefinition(string Name, string? Value, string Meaning, Func<PipelineArguments, string, PipelineArguments> Apply)
{
    /// <summary>"--name=VALUE" or "--name", as the listing shows it.</summary>
    public string Usage => Value is null ? "--" + Name : $"--{Name}={Value}";
}
