using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Testing.Tools;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Boot2IsoKit.Testing.Docker;

/// <summary>
/// The build environment of the stand-in boot2docker images: a minimal Debian with the tools
/// boot2docker's ISO scripts call (cpio, xz, xorriso, ISOLINUX's isohdpfx.bin). No image can be pulled
/// here, so it is made with debootstrap from apt's mirror and imported through the API; the rootfs tar
/// is cached under artifacts/standin/ by a key of its inputs, so a fresh engine imports without debootstrap.
/// </summary>
internal static class DebianToolsImage
{
    public const string Repository = "b2ik-standin/debian-tools";
    public const string Suite = "bookworm";

    /// <summary>What make_iso.sh / make-b2d-iso.sh run, plus curl for recipes that download (it stays unused offline).</summary>
    public static readonly string[] Packages = ["cpio", "xz-utils", "xorriso", "isolinux", "syslinux-common", "curl", "ca-certificates"];

    /// <summary>Raise when the recipe below changes.</summary>
    private const int RecipeVersion = 1;

    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Returns the image reference, importing (and first debootstrapping) it when the engine lacks it.</summary>
    public static async Task<string> EnsureAsync(DockerConnection connection, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var mirror = AptMirror.Find(Suite);
        var key = Key(mirror);
        var image = $"{Repository}:{key}";
        await Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (await ExistsAsync(connection.Client, image, ct).ConfigureAwait(false))
            {
                return image;
            }

            var directory = Directory.CreateDirectory(Path.Combine(StandInImages.ArtifactsDirectory(), "standin")).FullName;
            var tar = Path.Combine(directory, $"debian-tools-{key}.tar");
            if (!File.Exists(tar))
            {
                progress?.Invoke($"debootstrap {Suite} with {string.Join(',', Packages)} (a few minutes, once)");
                await DebootstrapAsync(mirror, tar, ct).ConfigureAwait(false);
            }

            progress?.Invoke($"importing {tar} as {image}");
            var file = File.OpenRead(tar);
            await using (file.ConfigureAwait(false))
            {
                await connection.Client.Images.CreateImageAsync(
                    new ImagesCreateParameters { FromSrc = "-", Repo = Repository, Tag = key, Message = $"debootstrap --variant=minbase {Suite}" },
                    file,
                    null,
                    new Progress<JSONMessage>(),
                    ct).ConfigureAwait(false);
            }

            return await ExistsAsync(connection.Client, image, ct).ConfigureAwait(false)
                ? image
                : throw new InvalidOperationException($"importing {tar} did not create {image}");
        }
        finally
        {
            Gate.Release();
        }
    }

    internal static async Task<bool> ExistsAsync(DockerClient client, string image, CancellationToken ct)
    {
        try
        {
            await client.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    private static string Key(string mirror)
    {
        var inputs = $"{RecipeVersion}|{Suite}|minbase|{string.Join(',', Packages)}|{mirror}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inputs)))[..16];
    }

    /// <summary>debootstrap into a scratch directory, then a numeric-owner tar of it (without apt's downloaded .debs), renamed into place.</summary>
    private static async Task DebootstrapAsync(string mirror, string tar, CancellationToken ct)
    {
        var work = tar + ".work";
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        var root = Path.Combine(work, "root");
        try
        {
            var result = await ExternalTool.RunAsync(
                "debootstrap",
                ["--variant=minbase", "--include=" + string.Join(',', Packages), Suite, root, mirror],
                timeout: TimeSpan.FromMinutes(30),
                cancellationToken: ct).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                var log = Path.Combine(root, "debootstrap", "debootstrap.log");
                throw new InvalidOperationException(
                    $"debootstrap {Suite} from {mirror} failed ({result.ExitCode}):\n{result.StandardError}\n{(File.Exists(log) ? File.ReadAllText(log)[^Math.Min(4000, (int)new FileInfo(log).Length)..] : "")}");
            }

            var partial = tar + ".partial";
            await ExternalTool.RunCheckedAsync(
                "tar",
                ["--numeric-owner", "--exclude=./proc/*", "--exclude=./sys/*", "--exclude=./var/cache/apt/archives/*.deb", "-C", root, "-cf", partial, "."],
                timeout: TimeSpan.FromMinutes(10),
                cancellationToken: ct).ConfigureAwait(false);
            File.Move(partial, tar, overwrite: true);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                await ExternalTool.RunAsync("rm", ["-rf", work], cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
