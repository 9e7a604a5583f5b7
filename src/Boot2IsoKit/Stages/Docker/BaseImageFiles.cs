using System.Formats.Tar;
using System.Text;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.Planning;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>
/// Reads small files of a base image's rootfs through the Engine API (a created, never started container
/// and its archive endpoint), so a docker build without a base ISO stamps os-release and motd from the
/// image's own files, exactly as the native builder does from the ISO's initrd.
/// </summary>
internal sealed class BaseImageFiles(DockerConnection connection) : IBaseImageFiles
{
    /// <summary>Files read here are configuration text; anything larger is not what was asked for.</summary>
    private const long MaxBytes = 1 << 20;

    public async Task<string?> ReadTextAsync(string image, string rootfsPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        var path = $"{ImageContract.RootfsDirectory}/{Boot2IsoKit.Model.Rootfs.RootfsPath.Normalize(rootfsPath, "rootfs path")}";
        CreateContainerResponse created;
        try
        {
            created = await connection.Client.Containers.CreateContainerAsync(
                new CreateContainerParameters { Image = image, NetworkDisabled = true, Cmd = ["true"] }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new BaseImageMissingException(
                $"The base image '{image}' is not in the Docker engine at {connection.Endpoint}. " +
                $"Load or build it first (docker load / docker pull {image}), or name another image with --base-image=NAME.");
        }

        try
        {
            var archive = await connection.Client.Containers.GetArchiveFromContainerAsync(
                created.ID, new ContainerPathStatParameters { Path = path }, statOnly: false, cancellationToken).ConfigureAwait(false);
            await using var stream = archive.Stream ?? throw new DockerEngineException($"the engine sent no archive for {path} of {image}");
            using var limited = new TarMetadataLimitStream(stream);
            await using var reader = new TarReader(limited);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    if (entry.Length > MaxBytes || entry.DataStream is null)
                    {
                        return entry.DataStream is null ? "" : throw new DockerEngineException($"{image}: {path} is {entry.Length} bytes, not a configuration file");
                    }

                    using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                    return await text.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return null;
        }
        catch (DockerContainerNotFoundException)
        {
            return null; // the engine answers 404 for a path the container does not have
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await connection.Client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, timeout.Token).ConfigureAwait(false);
        }
    }
}
