using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;
using Docker.DotNet.Models;

namespace Boot2IsoKit.Testing.Docker;

/// <summary>
/// Local stand-ins for <c>boot2docker/boot2docker:&lt;version&gt;</c>, which cannot be pulled here. Each
/// honours its layout's image contract (boot2docker's Dockerfile and doc/BUILD.md): the rootfs at /rootfs, the ISO
/// tree at /tmp/iso, the layout's ISO script at the layout's path, a built ISO where the CMD cats it,
/// and the layout's ENV, WORKDIR and CMD. The rootfs and ISO tree are a fixture's (Debian kernel,
/// busybox, glibc); the build tools come from <see cref="DebianToolsImage"/>.
/// </summary>
internal static class StandInImages
{
    public const string Repository = "b2ik-standin/boot2docker";
    private const string KeyLabel = "org.boot2isokit.standin-key";

    /// <summary>The stand-in made from a fixture ISO: its release is the fixture's (19.03.12 new, 18.06.1-ce old).</summary>
    public static Task<string> EnsureAsync(DockerConnection connection, FixtureIso fixture, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        return EnsureAsync(connection, fixture.EngineVersion, fixture.RootfsDirectory, fixture.IsoTreeDirectory, fixture.IsoPath, progress, ct);
    }

    /// <summary>Builds (or finds, by a key of its inputs) the stand-in and returns its reference, e.g. b2ik-standin/boot2docker:19.03.12.</summary>
    /// <param name="release">The boot2docker release imitated; it picks the layout and the script path.</param>
    /// <param name="rootfsDirectory">The unpacked rootfs (copied to /rootfs).</param>
    /// <param name="isoTreeDirectory">The ISO tree (copied to /tmp/iso).</param>
    /// <param name="isoPath">The already built ISO (put where the image's CMD cats it).</param>
    public static async Task<string> EnsureAsync(
        DockerConnection connection, string release, string rootfsDirectory, string isoTreeDirectory, string isoPath,
        Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var contract = ImageContract.ForRelease(release);
        var baseImage = await DebianToolsImage.EnsureAsync(connection, progress, ct).ConfigureAwait(false);
        var isNew = contract.Layout == Boot2IsoKit.Model.Layouts.IsoLayout.New;
        var script = isNew ? StandInScripts.MakeB2dIso : StandInScripts.MakeIso;
        var scriptPath = isNew ? "/usr/local/bin/make-b2d-iso.sh" : contract.IsoScript;
        var dockerfile = Dockerfile(baseImage, release, isNew, scriptPath, contract.IsoPath);

        var iso = new FileInfo(isoPath);
        var key = Hash($"{dockerfile}|{script}|{Path.GetFullPath(isoPath)}|{iso.Length}|{iso.LastWriteTimeUtc.Ticks}");
        var image = $"{Repository}:{release}";
        if (await DebianToolsImage.ExistsAsync(connection.Client, image, ct).ConfigureAwait(false))
        {
            var existing = await connection.Client.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
            if (existing.Config?.Labels?.TryGetValue(KeyLabel, out var found) == true && found == key)
            {
                return image;
            }
        }

        progress?.Invoke($"building the stand-in {image}");
        var context = Path.Combine(ArtifactsDirectory(), "standin", "context-" + release);
        if (Directory.Exists(context))
        {
            await ExternalTool.RunCheckedAsync("rm", ["-rf", context], cancellationToken: ct).ConfigureAwait(false);
        }

        Directory.CreateDirectory(context);
        // The rootfs travels as a tar that ADD unpacks as it is: owners, setuid/setgid bits, symlinks (busybox
        // applets, soname links, lib64 -> lib). COPY of a directory would chown every file to root, and chown(2)
        // clears setuid: a real boot2docker image makes its rootfs in RUN steps and keeps /usr/bin/sudo 4755.
        await ExternalTool.RunCheckedAsync("tar", ["-C", rootfsDirectory, "--numeric-owner", "-cf", Path.Combine(context, "rootfs.tar"), "."], cancellationToken: ct).ConfigureAwait(false);
        await ExternalTool.RunCheckedAsync("cp", ["-a", isoTreeDirectory, Path.Combine(context, "iso")], cancellationToken: ct).ConfigureAwait(false);
        File.Copy(isoPath, Path.Combine(context, "boot2docker.iso"));
        await File.WriteAllTextAsync(Path.Combine(context, "iso-script.sh"), script, ct).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(context, "iso-script.sh"), (UnixFileMode)0x1ED);
        }
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), dockerfile, ct).ConfigureAwait(false);

        var tar = context + ".tar";
        await TarFile.CreateFromDirectoryAsync(context, tar, includeBaseDirectory: false, ct).ConfigureAwait(false);
        var messages = new List<string>();
        string? error = null;
        var file = File.OpenRead(tar);
        await using (file.ConfigureAwait(false))
        {
            await connection.Client.Images.BuildImageFromDockerfileAsync(
                new ImageBuildParameters
                {
                    Tags = [image],
                    Labels = new Dictionary<string, string> { [KeyLabel] = key },
                    Remove = true,
                    ForceRemove = true,
                    NetworkMode = "none",
                },
                file,
                null,
                null,
                new SyncProgress(m =>
                {
                    error ??= m.Error?.Message;
                    if (m.Stream is { } line)
                    {
                        messages.Add(line);
                    }
                }),
                ct).ConfigureAwait(false);
        }

        File.Delete(tar);
        await ExternalTool.RunCheckedAsync("rm", ["-rf", context], cancellationToken: ct).ConfigureAwait(false);
        return error is null
            ? image
            : throw new InvalidOperationException($"building the stand-in {image} failed: {error}\n{string.Concat(messages.TakeLast(30))}");
    }

    /// <summary>The repository's artifacts directory.</summary>
    public static string ArtifactsDirectory() => Path.Combine(RepositoryRoot.Find(), "artifacts");

    private static string Dockerfile(string baseImage, string release, bool isNew, string scriptPath, string isoPath) => isNew
        ? $"""
            # Stand-in for boot2docker/boot2docker:{release} (new layout, v18.09+): same paths, ENV, WORKDIR and CMD.
            FROM {baseImage}
            SHELL ["/bin/bash", "-Eeuo", "pipefail", "-xc"]
            ENV DOCKER_VERSION={release} TCL_VERSION=10.1
            WORKDIR /rootfs
            ADD rootfs.tar /rootfs/
            COPY iso/ /tmp/iso/
            RUN cp -v /usr/lib/ISOLINUX/isohdpfx.bin /tmp/
            COPY iso-script.sh {scriptPath}
            # The real image ends by running its script; the fixture ISO is that script's output already.
            COPY boot2docker.iso {isoPath}
            CMD ["sh", "-c", "[ -t 1 ] && exec bash || exec cat {isoPath}"]

            """
        : $"""
            # Stand-in for boot2docker/boot2docker:{release} (legacy layout, up to v18.06): same paths, ENV and CMD.
            FROM {baseImage}
            ENV ROOTFS=/rootfs
            ADD rootfs.tar /rootfs/
            COPY iso/ /tmp/iso/
            COPY iso-script.sh {scriptPath}
            # The real image ends by running its script; the fixture ISO is that script's output already.
            COPY boot2docker.iso {isoPath}
            CMD ["sh", "-c", "[ -t 1 ] && exec bash || exec cat boot2docker.iso"]

            """;

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}
