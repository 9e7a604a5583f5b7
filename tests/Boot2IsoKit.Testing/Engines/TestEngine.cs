using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Engines;

/// <summary>
/// A real Docker client packed as an engine tgz of the 18.09+ layout (docker/docker), for tests that pin
/// an engine: the statically linked client this machine ships in /usr/local/bin, else Debian's docker.io
/// client. Its version is read from the installed binary, so the tests know what the booted VM must print.
/// </summary>
public sealed partial record TestEngine(string TgzPath, string Version)
{
    private static readonly string[] Candidates = ["/usr/local/bin/docker", "/usr/bin/docker"];

    public static async Task<TestEngine> CreateAsync(string directory, CancellationToken cancellationToken = default)
    {
        var binary = Candidates.FirstOrDefault(File.Exists)
            ?? throw new MissingToolException("docker (client binary)");
        var versionText = (await ExternalTool.RunCheckedAsync(binary, ["--version"], cancellationToken: cancellationToken).ConfigureAwait(false)).StandardOutput;
        var version = VersionPattern().Match(versionText) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"cannot read a version from '{versionText}'");
        Directory.CreateDirectory(directory);
        var tgz = Path.Combine(directory, $"docker-{version}.tgz");
        await using (var file = File.Create(tgz))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "docker/") { Mode = (UnixFileMode)0x1ED }, cancellationToken).ConfigureAwait(false);
            await using var content = File.OpenRead(binary);
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "docker/docker") { Mode = (UnixFileMode)0x1ED, DataStream = content }, cancellationToken).ConfigureAwait(false);
        }

        return new TestEngine(tgz, version);
    }

    [GeneratedRegex(@"Docker version ([0-9][^ ,]*)")]
    private static partial Regex VersionPattern();
}
