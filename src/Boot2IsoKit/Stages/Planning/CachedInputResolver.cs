using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Inputs.Releases;
using Boot2IsoKit.Model.Recipes;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// Inputs through the input cache: a base release through the GitHub API (Octokit; never asked offline),
/// an engine from its channel's site (or the recipe's URL), images from their registries, each downloaded once,
/// verified and kept.
/// </summary>
internal sealed partial class CachedInputResolver(InputCacheStore cache, BaseIndexCache baseIndex, Action<string>? detail = null) : IInputResolver
{
    public Task<IReadOnlyList<Boot2IsoKit.Inputs.TinyCore.ResolvedExtension>> ExtensionsAsync(IReadOnlyList<string> names, int releaseMajor, string? recipeMirror, CancellationToken cancellationToken = default) =>
        Boot2IsoKit.Inputs.TinyCore.TinyCoreExtensions.Through(cache, recipeMirror, Environment.GetEnvironmentVariable)(names, releaseMajor, cancellationToken);

    public async Task<string> BaseIsoAsync(BaseSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Iso is { } iso)
        {
            return iso;
        }

        if (cache.Offline)
        {
            var cached = cache.Entries.LastOrDefault(e => e.Kind == InputKinds.BaseIso && e.Version == spec.Release && e.Name == spec.Asset && File.Exists(e.Path));
            return cached?.Path ?? throw new MissingInputsException(cache.Root, [new MissingInput(InputKinds.BaseIso, spec.Release, ReleaseAssetUrl(spec), null)]);
        }

        var releases = new Boot2DockerReleases(Boot2DockerReleaseOptions.FromEnvironment(spec.Repository));
        var release = await releases.ResolveAsync(spec.Release, cancellationToken: cancellationToken).ConfigureAwait(false);
        var input = await cache.GetAsync(release.IsoInput(spec.Asset), cancellationToken).ConfigureAwait(false);
        return input.Path;
    }

    public BaseIso OpenBase(string path)
    {
        var opened = BaseIso.Open(path, baseIndex);
        detail?.Invoke(opened.FromIndexCache
            ? $"base initrd listing of {path} from {baseIndex.Directory} (not decoded again)"
            : $"base initrd of {path} decoded; its listing is kept in {baseIndex.Directory}");
        return opened;
    }

    public async Task<FetchedEngine> EngineAsync(EngineSpec spec, string recipeSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Tgz is { } tgz)
        {
            return new FetchedEngine(tgz, null, null);
        }

        var version = EngineVersion.Parse(spec.Version);
        var download = spec.Url is { } url
            ? EngineDownload.FromUrl(version, new Uri(url))
            : EngineDownload.Resolve(
                version,
                EngineSources.FromSettings(spec.Sources, recipeSource).OverriddenBy(EngineSources.FromEnvironment()),
                EngineChannels.Parse(spec.Channel));
        var fetched = await download.FetchAsync(cache, spec.Sha256, cancellationToken).ConfigureAwait(false);
        return new FetchedEngine(fetched.Path, download.Url, fetched.Sha256, download.Channel);
    }

    /// <summary>Where GitHub serves a release asset (what an offline build would have fetched).</summary>
    private static Uri ReleaseAssetUrl(BaseSpec spec) =>
        new($"https://github.com/{spec.Repository}/releases/download/{spec.Release}/{spec.Asset}");
}
