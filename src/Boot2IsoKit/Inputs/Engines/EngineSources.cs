using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Engines;

/// <summary>
/// The base URLs of Docker's download sites, per channel, as the user or the recipe configures them
/// (a template for the static site with a <c>{channel}</c> placeholder, or one directory per channel).
/// Whatever is not configured comes from the built-in defaults (<see cref="DefaultDirectoryFor"/>):
/// Docker's static site for <c>stable</c> and <c>test</c>, the historical <c>builds/Linux/x86_64/</c>
/// sites for 1.x engines. Docker deprecated <c>edge</c> and <c>nightly</c>: no version is sent there unless
/// the recipe's <c>channel:</c> asks for it (or the version is a nightly's).
/// </summary>
/// <remarks>
/// Keys (recipe) and environment variables:
/// <list type="bullet">
/// <item><c>base</c> / <c>B2IK_ENGINE_BASE_URL</c>: static-site template with <c>{channel}</c> (stable, test, edge, nightly).</item>
/// <item><c>stable</c>, <c>test</c>, <c>edge</c>, <c>nightly</c> / <c>B2IK_ENGINE_BASE_URL_STABLE</c>, …: one static-site directory.</item>
/// <item><c>master</c> / <c>B2IK_ENGINE_BASE_URL_MASTER</c>: the master-builds directory (linux/amd64).</item>
/// <item><c>experimental</c>, <c>legacy-stable</c>, <c>legacy-test</c> / <c>B2IK_ENGINE_BASE_URL_EXPERIMENTAL</c>, …: the 1.x
/// <c>builds/Linux/x86_64/</c> directories.</item>
/// </list>
/// </remarks>
internal sealed class EngineSources
{
    public const string EnvironmentPrefix = "B2IK_ENGINE_BASE_URL";
    public const string TemplateKey = "base";

    /// <summary>
    /// Docker's static site, which boot2docker's Dockerfile downloaded from since 17.03.0-ce
    /// (boot2docker's Dockerfile: <c>https://download.docker.com/linux/static/$DOCKER_CHANNEL/x86_64/</c>).
    /// </summary>
    public const string DefaultStaticSite = "https://download.docker.com/linux/static/{channel}/x86_64/";

    /// <summary>The 1.x release site (boot2docker v1.11–v1.13 Dockerfiles: <c>https://get.docker.com/builds/Linux/x86_64/</c>).</summary>
    public const string DefaultLegacyStableSite = "https://get.docker.com/builds/Linux/x86_64/";

    /// <summary>The 1.x release-candidate site (boot2docker's Dockerfile.test).</summary>
    public const string DefaultLegacyTestSite = "https://test.docker.com/builds/Linux/x86_64/";

    /// <summary>The 1.x experimental builds (boot2docker's Dockerfile.experimental).</summary>
    public const string DefaultExperimentalSite = "https://experimental.docker.com/builds/Linux/x86_64/";

    /// <summary>Builds of master (boot2docker's Dockerfile.master).</summary>
    public const string DefaultMasterSite = "https://master.dockerproject.org/linux/amd64/";

    private static readonly string[] KnownKeyNames = [TemplateKey, "stable", "test", "edge", "nightly", "master", "experimental", "legacy-stable", "legacy-test"];

    private readonly Dictionary<string, Uri> _bases;

    private EngineSources(Dictionary<string, Uri> bases) => _bases = bases;

    public static EngineSources None { get; } = new(new Dictionary<string, Uri>(StringComparer.Ordinal));

    public static IReadOnlyList<string> Keys => KnownKeyNames;

    /// <summary>The configured keys and base URLs (for display; base URLs carry no secrets by convention).</summary>
    public IReadOnlyDictionary<string, Uri> Configured => _bases;

    /// <summary>Reads <c>B2IK_ENGINE_BASE_URL</c> and <c>B2IK_ENGINE_BASE_URL_&lt;KEY&gt;</c>.</summary>
    public static EngineSources FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in KnownKeyNames)
        {
            var name = EnvironmentVariableFor(key);
            if (read(name) is { Length: > 0 } value)
            {
                settings[key] = value;
            }
        }

        return FromSettings(settings, "environment");
    }

    /// <summary>From recipe keys (<c>base</c>, <c>stable</c>, <c>legacy-test</c>, …).</summary>
    public static EngineSources FromSettings(IReadOnlyDictionary<string, string> settings, string origin = "recipe")
    {
        ArgumentNullException.ThrowIfNull(settings);
        var bases = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var (rawKey, value) in settings)
        {
            var key = rawKey.Trim().ToLowerInvariant();
            if (Array.IndexOf(KnownKeyNames, key) < 0)
            {
                throw new InvalidInputException(origin, $"engine source '{rawKey}'", $"unknown key; expected one of: {string.Join(", ", KnownKeyNames)}");
            }

            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
            {
                throw new InvalidInputException(origin, $"engine source '{rawKey}'", "not an absolute http, https or file URL");
            }

            if (key != TemplateKey && uri.OriginalString.Contains("{channel}", StringComparison.Ordinal))
            {
                throw new InvalidInputException(origin, $"engine source '{rawKey}'", "only 'base' takes a {channel} placeholder");
            }

            bases[key] = uri;
        }

        return new EngineSources(bases);
    }

    /// <summary>Keys set in <paramref name="overrides"/> win over this instance's.</summary>
    public EngineSources OverriddenBy(EngineSources overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var merged = new Dictionary<string, Uri>(_bases, StringComparer.Ordinal);
        foreach (var (key, value) in overrides._bases)
        {
            merged[key] = value;
        }

        return new EngineSources(merged);
    }

    public static string EnvironmentVariableFor(string key) =>
        key == TemplateKey ? EnvironmentPrefix : $"{EnvironmentPrefix}_{key.ToUpperInvariant().Replace('-', '_')}";

    public static string KeyFor(EngineChannel channel, EngineSiteEra era) => (channel, era) switch
    {
        (EngineChannel.Master, _) => "master",
        (EngineChannel.Experimental, _) => "experimental",
        (EngineChannel.Stable, EngineSiteEra.Builds) => "legacy-stable",
        (EngineChannel.Test, EngineSiteEra.Builds) => "legacy-test",
        _ => channel.ToString().ToLowerInvariant(),
    };

    /// <summary>The configured directory holding <c>docker-&lt;version&gt;.tgz</c> for that channel, or null when nothing configures it.</summary>
    public Uri? DirectoryFor(EngineChannel channel, EngineSiteEra era)
    {
        var key = KeyFor(channel, era);
        if (_bases.TryGetValue(key, out var direct))
        {
            return AsDirectory(direct.OriginalString);
        }

        // The template describes the static site only: its channel directories are stable/test/edge/nightly.
        var templated = era == EngineSiteEra.Static && channel is EngineChannel.Stable or EngineChannel.Test or EngineChannel.Edge or EngineChannel.Nightly;
        if (templated && _bases.TryGetValue(TemplateKey, out var template))
        {
            return AsDirectory(template.OriginalString.Replace("{channel}", key, StringComparison.Ordinal));
        }

        return null;
    }

    /// <summary>
    /// The built-in site for that channel when nothing configures one: the static site's channel directories,
    /// the historical sites for the builds era and master.
    /// </summary>
    public static Uri DefaultDirectoryFor(EngineChannel channel, EngineSiteEra era) => (channel, era) switch
    {
        (EngineChannel.Master, _) => new Uri(DefaultMasterSite),
        (EngineChannel.Experimental, _) => new Uri(DefaultExperimentalSite),
        (EngineChannel.Stable, EngineSiteEra.Builds) => new Uri(DefaultLegacyStableSite),
        (EngineChannel.Test, EngineSiteEra.Builds) => new Uri(DefaultLegacyTestSite),
        _ => AsDirectory(DefaultStaticSite.Replace("{channel}", KeyFor(channel, era), StringComparison.Ordinal)),
    };

    /// <summary>Whether <see cref="DefaultDirectoryFor"/> is one of the historical sites, which may no longer serve.</summary>
    public static bool IsHistoricalDefault(EngineChannel channel, EngineSiteEra era) =>
        channel is EngineChannel.Master or EngineChannel.Experimental || era == EngineSiteEra.Builds;

    private static Uri AsDirectory(string url) => new(url.EndsWith('/') ? url : url + "/", UriKind.Absolute);
}
