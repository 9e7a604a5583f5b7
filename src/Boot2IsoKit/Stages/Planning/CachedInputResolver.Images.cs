using Boot2IsoKit.Inputs.Registry;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Stages.Images;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>Images of the recipe's <c>images:</c>, pulled through the input cache.</summary>
internal sealed partial class CachedInputResolver
{
    public async Task<(string Archive, PulledImage Pulled)> PullImageAsync(ImageSpec spec, IReadOnlyList<RegistrySpec> registries, string recipeSource, string directory, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        using var client = new RegistryClient();
        var puller = new ImagePuller(cache, client, Environment.GetEnvironmentVariable, detail);
        var (archive, reference, resolved, manifestUrl) = await puller.PullAsync(spec, registries, recipeSource, directory, timestamp, cancellationToken).ConfigureAwait(false);
        return (archive, new PulledImage(reference.ToString(), reference.Registry, reference.Repository, resolved.ManifestDigest, resolved.IndexDigest, manifestUrl));
    }
}
