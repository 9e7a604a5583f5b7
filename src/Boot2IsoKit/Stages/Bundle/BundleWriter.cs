using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.MachineCache;

namespace Boot2IsoKit.Stages.Bundle;

/// <summary>
/// Writes the air-gapped bundle: <c>&lt;name&gt;.tar.gz</c> and <c>&lt;name&gt;.zip</c>, each with <c>&lt;name&gt;/</c>
/// boot2docker.iso, the ISO's bill of materials when it has one (boot2docker.iso.spdx.json), SHA256SUMS, manifest.json,
/// seed.sh, seed.ps1 and README.txt. Entries, order, times and modes are
/// fixed, so the same ISO and inputs give the same bytes. Usage: <c>BundleWriter.Write(request)</c>.
/// </summary>
internal static partial class BundleWriter
{
    private const UnixFileMode Regular = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = Regular | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static readonly DateTimeOffset ZipEpoch = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ZipEnd = new(2107, 12, 31, 23, 59, 58, TimeSpan.Zero);

    /// <summary>The bill of materials' name in the bundle, beside boot2docker.iso.</summary>
    public const string BillOfMaterialsName = MachineStore.IsoFileName + ".spdx.json";

    private sealed record Entry(string Name, UnixFileMode Mode, Func<Stream> Open);

    public static BundleResult Write(BundleRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!BundleName().IsMatch(request.Name) || request.Name.Length > 64)
        {
            throw new InvalidInputException("bundle name", $"'{request.Name}'", "use up to 64 letters, digits, '.', '_' and '-' (it becomes a file and directory name)");
        }

        var facts = IsoFacts.Read(request.IsoPath, request.OsReleaseProbe).EnsureSeedable(request.Force);
        var (sha256, size) = Hash(request.IsoPath);
        var manifest = IsoManifest.Create(facts, sha256, size, request.Provenance);
        var manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJson() + "\n");
        var billOfMaterials = request.BillOfMaterialsPath is { } bomPath ? File.ReadAllBytes(bomPath) : null;
        var sums = Encoding.UTF8.GetBytes(
            $"{sha256}  {MachineStore.IsoFileName}\n{Convert.ToHexStringLower(SHA256.HashData(manifestBytes))}  manifest.json\n"
            + (billOfMaterials is null ? "" : $"{Convert.ToHexStringLower(SHA256.HashData(billOfMaterials))}  {BillOfMaterialsName}\n"));
        var readme = Encoding.UTF8.GetBytes(Readme(request.Name, manifest, facts, billOfMaterials is not null));
        var timestamp = request.Timestamp ?? new DateTimeOffset(File.GetLastWriteTimeUtc(request.IsoPath), TimeSpan.Zero);
        timestamp = DateTimeOffset.FromUnixTimeSeconds(timestamp.ToUnixTimeSeconds());

        List<Entry> entries =
        [
            new(MachineStore.IsoFileName, Regular, () => File.OpenRead(request.IsoPath)),
            new("SHA256SUMS", Regular, () => new MemoryStream(sums, writable: false)),
            new("manifest.json", Regular, () => new MemoryStream(manifestBytes, writable: false)),
            new("seed.sh", Executable, () => Script("seed.sh")),
            new("seed.ps1", Executable, () => Script("seed.ps1")),
            new("README.txt", Regular, () => new MemoryStream(readme, writable: false)),
        ];
        if (billOfMaterials is not null)
        {
            entries.Insert(1, new(BillOfMaterialsName, Regular, () => new MemoryStream(billOfMaterials, writable: false)));
        }


        var tarGz = Path.Combine(request.OutputDirectory, request.Name + ".tar.gz");
        var zip = Path.Combine(request.OutputDirectory, request.Name + ".zip");
        AtomicFile.Write(tarGz, stream => WriteTarGz(stream, request.Name, entries, timestamp));
        AtomicFile.Write(zip, stream => WriteZip(stream, request.Name, entries, timestamp));
        return new BundleResult(Path.GetFullPath(tarGz), Path.GetFullPath(zip), manifest);
    }

    /// <summary>The script shipped in every bundle ("seed.sh" or "seed.ps1"), from the assembly's resources.</summary>
    public static Stream Script(string name) =>
        typeof(BundleWriter).Assembly.GetManifestResourceStream("Boot2IsoKit.Stages.Bundle.Scripts." + name)
        ?? throw new InvalidOperationException($"the resource for {name} is missing from the assembly");

    private static void WriteTarGz(Stream output, string name, IReadOnlyList<Entry> entries, DateTimeOffset timestamp)
    {
        using var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true);
        tar.WriteEntry(TarEntry(new UstarTarEntry(TarEntryType.Directory, name + "/"), Executable, timestamp));
        foreach (var entry in entries)
        {
            using var data = entry.Open();
            var tarEntry = TarEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{name}/{entry.Name}"), entry.Mode, timestamp);
            tarEntry.DataStream = data;
            tar.WriteEntry(tarEntry);
        }
    }

    private static UstarTarEntry TarEntry(UstarTarEntry entry, UnixFileMode mode, DateTimeOffset timestamp)
    {
        entry.Mode = mode;
        entry.ModificationTime = timestamp;
        entry.Uid = 0;
        entry.Gid = 0;
        entry.UserName = "root";
        entry.GroupName = "root";
        return entry;
    }

    private static void WriteZip(Stream output, string name, IReadOnlyList<Entry> entries, DateTimeOffset timestamp)
    {
        // DOS time stamps start in 1980 (SOURCE_DATE_EPOCH=0 is common): clamp, keeping the output reproducible.
        timestamp = timestamp < ZipEpoch ? ZipEpoch : timestamp > ZipEnd ? ZipEnd : timestamp;
        using var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var directory = archive.CreateEntry(name + "/", CompressionLevel.NoCompression);
        directory.LastWriteTime = timestamp;
        directory.ExternalAttributes = UnixAttributes(0x4000, Executable);
        foreach (var entry in entries)
        {
            var zipEntry = archive.CreateEntry($"{name}/{entry.Name}", CompressionLevel.Optimal);
            zipEntry.LastWriteTime = timestamp;
            // st_mode in the high 16 bits; unzip and bsdtar apply it when the archive was made on Unix.
            zipEntry.ExternalAttributes = UnixAttributes(0x8000, entry.Mode);
            using var data = entry.Open();
            using var target = zipEntry.Open();
            data.CopyTo(target);
        }
    }

    private static int UnixAttributes(int type, UnixFileMode mode) => (type | (int)mode) << 16;

    private static (string Sha256, long Size) Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var hash = SHA256.HashData(stream);
        return (Convert.ToHexStringLower(hash), stream.Length);
    }

    private static string Readme(string name, IsoManifest manifest, IsoFacts facts, bool hasBillOfMaterials)
    {
        var (_, explanation) = SeedReport.Explain(facts.ParsedVersion);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{name}: a boot2docker ISO for docker-machine, for machines without internet access.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"  ISO:            boot2docker.iso ({manifest.Size} bytes, sha256 {manifest.Sha256})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  Volume label:   {VolumeLabel.Visible(manifest.VolumeId ?? "")} (docker-machine reads the version '{VolumeLabel.Visible(manifest.LabelVersion ?? "none")}')");
        if (manifest.EngineVersion is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  Docker engine:  {manifest.EngineVersion}");
        }

        if (manifest.Recipe is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  Recipe:         {manifest.Recipe}");
        }

        text.AppendLine("  manifest.json lists the versions and the inputs' sha256 digests.");
        if (hasBillOfMaterials)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {BillOfMaterialsName} is the ISO's bill of materials (SPDX 2.3): its packages and the files the build added.");
        }
        text.AppendLine();
        text.AppendLine("Seed docker-machine's cache (verifies SHA256SUMS first; keeps any cached ISO as a .bak):");
        text.AppendLine("  Linux, macOS:  sh seed.sh [--storage-path DIR]");
        text.AppendLine("  Windows:       powershell -ExecutionPolicy Bypass -File seed.ps1 [-StoragePath DIR]");
        text.AppendLine("The store is DIR, else MACHINE_STORAGE_PATH, else ~/.docker/machine (%USERPROFILE%\\.docker\\machine).");
        text.AppendLine("The scripts print the docker-machine create commands for this machine.");
        text.AppendLine();
        text.AppendLine(explanation);
        text.AppendLine();
        text.AppendLine("By hand: check 'sha256sum -c SHA256SUMS', copy boot2docker.iso to <store>/cache/boot2docker.iso");
        text.AppendLine("(keep the old one), or skip the cache and pass the file to create:");
        text.AppendLine("  docker-machine create -d virtualbox --virtualbox-boot2docker-url file:///path/to/boot2docker.iso NAME");
        text.AppendLine("On Windows write the path without its drive (/Users/me/boot2docker.iso) and run docker-machine from that drive:");
        text.AppendLine("docker-machine 0.16.2 cannot open file:///C:/... or file://C:/... URLs.");
        return text.ToString().ReplaceLineEndings("\n");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex BundleName();
}
