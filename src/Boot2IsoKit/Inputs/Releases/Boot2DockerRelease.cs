using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Model.Layouts;

namespace Boot2IsoKit.Inputs.Releases;

/// <summary>One GitHub release of boot2docker (or a fork) and its downloadable assets.</summary>
internal sealed record Boot2DockerRelease(string Repository, string Tag, string? Name, bool Prerelease, DateTimeOffset? PublishedAt, IReadOnlyList<Boot2DockerAsset> Assets)
{
    public const string DefaultIsoName = "boot2docker.iso";

    /// <summary>The release's version, read from its tag.</summary>
    /// <exception cref="Boot2IsoKit.Plumbing.Errors.InvalidInputException">The tag does not start with a version number.</exception>
    public Boot2DockerVersion Version => Boot2DockerVersion.Parse(Tag);

    public IsoLayout Layout => Version.Layout;

    /// <summary>The asset with that file name (<c>boot2docker.iso</c>, <c>boot2docker-experimental.iso</c>, …).</summary>
    /// <exception cref="ReleaseNotFoundException">The release has no such asset; the message lists the ones it has.</exception>
    public Boot2DockerAsset Asset(string name = DefaultIsoName)
    {
        foreach (var asset in Assets)
        {
            if (string.Equals(asset.Name, name, StringComparison.Ordinal))
            {
                return asset;
            }
        }

        var available = Assets.Count == 0 ? "it has no assets" : "it has: " + string.Join(", ", Assets.Select(a => a.Name));
        throw new ReleaseNotFoundException(Repository, $"no asset '{name}' in release {Tag} of {Repository} ({available})");
    }

    /// <summary>What the input cache needs to fetch (or, offline, find) an asset: <c>cache.GetAsync(release.IsoInput())</c>.</summary>
    public InputRequest IsoInput(string assetName = DefaultIsoName, string? pinnedSha256 = null)
    {
        var asset = Asset(assetName);
        return new InputRequest(InputKinds.BaseIso, asset.DownloadUrl, Tag, pinnedSha256, asset.Size, asset.Name);
    }
}

/// <summary>A release file: its name, size in bytes and the URL a browser downloads it from.</summary>
internal sealed record Boot2DockerAsset(string Name, long Size, Uri DownloadUrl, string? ContentType);
