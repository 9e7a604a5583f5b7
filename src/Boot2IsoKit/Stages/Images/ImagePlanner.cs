using System.Globalization;
using Boot2IsoKit.Formats.DockerArchive;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.Images;

/// <summary>
/// Turns the recipe's <c>images:</c> into checked archives: a recipe's <c>docker save</c> file as it is, a reference
/// through the given pull (the input resolver's), and every archive read the way <c>docker load</c> will read it,
/// so a truncated file or a layer that does not match its digest stops the build before anything is written.
/// </summary>
internal static class ImagePlanner
{
    /// <param name="pull">Pulls a reference and writes it as a docker-load archive; returns the file and where it came from.</param>
    public static async Task<IReadOnlyList<ImageArchive>> ResolveAsync(
        IReadOnlyList<ImageSpec> specs,
        Func<string, string> fromRepository,
        Func<ImageSpec, CancellationToken, Task<(string Archive, PulledImage Pulled)>> pull,
        string recipe,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(fromRepository);
        ArgumentNullException.ThrowIfNull(pull);
        var archives = new List<ImageArchive>();
        foreach (var spec in specs)
        {
            string path;
            PulledImage? pulled = null;
            if (spec.Archive is { } archive)
            {
                path = fromRepository(archive);
                if (!File.Exists(path))
                {
                    throw new InvalidInputException(recipe, string.Create(CultureInfo.InvariantCulture, $"line {spec.Line}"), $"images: the archive {path} does not exist (write one with 'docker save -o FILE IMAGE')");
                }
            }
            else
            {
                (path, pulled) = await pull(spec, cancellationToken).ConfigureAwait(false);
            }

            var images = await Task.Run(() => DockerArchiveReader.Read(path, cancellationToken), cancellationToken).ConfigureAwait(false);
            var sha256 = await FileHash.Sha256Async(path, cancellationToken).ConfigureAwait(false);
            archives.Add(new ImageArchive(spec, path, sha256, new FileInfo(path).Length, images, pulled));
        }

        return archives;
    }
}
