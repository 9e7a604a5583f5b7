using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.Pipeline;

/// <summary>
/// The command line as overrides of a recipe, applied in this one place: after it, the planner reads
/// only the recipe. Paths typed on the command line are made absolute here (relative to where the user
/// ran build.sh), so they mean the same thing as the recipe's own paths once they are in it.
/// </summary>
internal static class RecipeOverrides
{
    /// <param name="fromCommandLine">Turns a typed path into an absolute one.</param>
    public static Recipe Apply(Recipe recipe, PipelineArguments arguments, Func<string, string> fromCommandLine)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(fromCommandLine);

        var baseSpec = recipe.Base;
        if (arguments.BaseIso is { } baseIso)
        {
            baseSpec = baseSpec with { Iso = ExistingFile(fromCommandLine(baseIso), "--base-iso") };
        }

        if (arguments.BaseImage is { } image)
        {
            baseSpec = baseSpec with { ImageReference = image };
        }

        return recipe with
        {
            Base = baseSpec,
            Engine = Engine(recipe, arguments, fromCommandLine),
            Label = arguments.Label ?? recipe.Label,
            Initrd = arguments.Initrd ?? recipe.Initrd,
            MergeCompression = arguments.MergeCompression ?? recipe.MergeCompression,
            Output = arguments.Output is { } output ? fromCommandLine(output) : recipe.Output,
            AllowExpiredCertificates = arguments.AllowExpiredCertificates || recipe.AllowExpiredCertificates,
        };
    }

    private static EngineSpec? Engine(Recipe recipe, PipelineArguments arguments, Func<string, string> fromCommandLine)
    {
        var engine = recipe.Engine;
        if (arguments.EngineTgz is { } tgz)
        {
            var path = ExistingFile(fromCommandLine(tgz), "--engine-tgz");
            // A tgz given on the command line brings its own version unless --engine-version says otherwise:
            // the recipe's version belongs to the recipe's engine, not to this file.
            var version = arguments.EngineVersion ?? VersionFromFileName(path)
                ?? throw new InvalidInputException(path, "file name", "the engine version cannot be told from this file name: add --engine-version=X.Y.Z");
            return new EngineSpec(version, null, null, null, path, engine?.Sources ?? new Dictionary<string, string>());
        }

        if (arguments.EngineVersion is { } pinned)
        {
            // Another version than the recipe's: its tgz, URL and checksum no longer apply.
            engine = new EngineSpec(pinned, engine?.Channel, null, null, null, engine?.Sources ?? new Dictionary<string, string>());
        }

        if (arguments.EngineUrl is { } url)
        {
            engine = engine is null
                ? throw new InvalidInputException("--engine-url", "command line", "names no version: add --engine-version=X.Y.Z (or an engine: section to the recipe)")
                : engine with { Url = url.AbsoluteUri, Tgz = null, Sha256 = engine.Url == url.AbsoluteUri ? engine.Sha256 : null };
        }

        return engine;
    }

    private static string ExistingFile(string path, string what) =>
        File.Exists(path) ? path : throw new InvalidInputException(what, path, "no such file");

    private static string? VersionFromFileName(string path)
    {
        const string Prefix = "docker-", Extension = ".tgz";
        var name = Path.GetFileName(path);
        return name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Extension, StringComparison.Ordinal)
            && EngineVersion.TryParseExact(name[Prefix.Length..^Extension.Length], out var version)
            ? version.ToString()
            : null;
    }
}
