using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Boot2IsoKit.Formats.Spdx;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.Planning;

namespace Boot2IsoKit.Stages.BillOfMaterials;

/// <summary>What a bill of materials is written from: the plan (still open: its delta's bytes are hashed) and what the build wrote.</summary>
/// <param name="IsoPath">The ISO the builder wrote; the document goes beside it.</param>
/// <param name="IsoSha256">Its sha256 (the document's namespace is derived from it).</param>
/// <param name="Builder">"native" or "docker".</param>
/// <param name="InputSha256">The inputs' sha256 by name, as the build record holds them ("base-iso", "engine-tgz").</param>
/// <param name="BaseIsoUrl">Where the base ISO was fetched from (the input cache's record), or null for a local file.</param>
/// <param name="RepositoryRoot">Overlay directories inside it are named by their path relative to it.</param>
internal sealed record BillOfMaterialsRequest(
    BuildPlan Plan,
    string IsoPath,
    string IsoSha256,
    string Builder,
    IReadOnlyDictionary<string, string> InputSha256,
    Uri? BaseIsoUrl,
    string RepositoryRoot);

/// <summary>
/// The bill of materials of a build: <c>&lt;iso&gt;.spdx.json</c>, an SPDX 2.3 document written beside the ISO
/// (atomically). It describes the ISO as a package that contains every input package (the base ISO, the
/// engine, each Debian package that put a file in, each Tiny Core extension, overlay directory and host binary) and every regular
/// file the build added to the rootfs (sha1 and sha256 of the bytes the ISO carries); each input package
/// GENERATES the files it put in (files the build itself wrote, such as the stamped os-release, have no such
/// input). Same plan and ISO, same bytes: every list is ordered, <c>created</c> is the build's source date
/// (the plan's one timestamp), the namespace is made from the ISO's sha256, and no host path is written.
/// </summary>
internal static class BillOfMaterialsWriter
{
    public const string Suffix = ".spdx.json";

    private const string IsoId = "SPDXRef-Package-iso";
    private const string BaseId = "SPDXRef-Package-base";
    private const string EngineId = "SPDXRef-Package-engine";

    /// <summary>Where the document of <paramref name="iso"/> goes.</summary>
    public static string PathFor(string iso) => iso + Suffix;

    public static async Task<string> WriteAsync(BillOfMaterialsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var document = await DocumentAsync(request, cancellationToken).ConfigureAwait(false);
        var path = PathFor(request.IsoPath);
        var bytes = SpdxJson.ToUtf8(document);
        AtomicFile.Write(path, stream => stream.Write(bytes));
        return path;
    }

    internal static async Task<SpdxDocument> DocumentAsync(BillOfMaterialsRequest request, CancellationToken cancellationToken)
    {
        var plan = request.Plan;
        var isoName = Path.GetFileName(request.IsoPath);
        var inputs = new Inputs(request);
        var files = await FilesAsync(plan, cancellationToken).ConfigureAwait(false);
        var relationships = new List<SpdxRelationship> { new(SpdxDocument.DocumentId, SpdxRelationshipType.Describes, IsoId) };
        relationships.AddRange(inputs.Packages.Select(p => new SpdxRelationship(IsoId, SpdxRelationshipType.Contains, p.SpdxId)));
        relationships.AddRange(files.Select(f => new SpdxRelationship(IsoId, SpdxRelationshipType.Contains, f.File.SpdxId)));
        relationships.AddRange(files
            .Where(f => f.Owner is not null)
            .Select(f => new SpdxRelationship(inputs.IdOf(f.Owner!), SpdxRelationshipType.Generates, f.File.SpdxId)));

        var iso = new SpdxPackage
        {
            SpdxId = IsoId,
            Name = isoName,
            VersionInfo = plan.StampedVersion,
            PackageFileName = isoName,
            DownloadLocation = SpdxDocument.NoAssertion,
            FilesAnalyzed = true,
            PackageVerificationCode = new SpdxVerificationCode(VerificationCode(files.Select(f => f.Sha1))),
            Checksums = [new SpdxChecksum(SpdxChecksumAlgorithm.Sha256, request.IsoSha256)],
            Comment = $"boot2docker ISO built by Boot2IsoKit ({request.Builder} builder) from the recipe '{plan.RecipeName}', volume id '{plan.Iso.VolumeLabel}'. "
                + "Its files listed here are the ones the build added to or replaced in the base's root filesystem; the rest is the base's.",
            PrimaryPackagePurpose = "OPERATING_SYSTEM",
        };

        return new SpdxDocument
        {
            Name = isoName,
            DocumentNamespace = $"https://spdx.org/spdxdocs/boot2isokit/{Uri.EscapeDataString(isoName)}-{request.IsoSha256}",
            CreationInfo = new SpdxCreationInfo(
                plan.Iso.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["Tool: Boot2IsoKit"]),
            Packages = [iso, .. inputs.Packages],
            Files = [.. files.Select(f => f.File)],
            Relationships = relationships,
        };
    }

    /// <summary>The regular files of the delta (a hard link counts as its target's bytes), hashed, with the material that put each there.</summary>
    private static async Task<List<(SpdxFile File, string Sha1, BuildMaterial? Owner)>> FilesAsync(BuildPlan plan, CancellationToken cancellationToken)
    {
        var result = new List<(SpdxFile, string, BuildMaterial?)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in plan.Delta.Entries)
        {
            var content = entry.Kind switch
            {
                RootfsEntryKind.File => entry.Content,
                RootfsEntryKind.HardLink when plan.Delta.TryGet(entry.LinkTarget!, out var target) => target.Content,
                _ => null,
            };
            if (content is null)
            {
                continue;
            }

            var (sha1, sha256) = await HashAsync(content, cancellationToken).ConfigureAwait(false);
            var id = Unique(ids, SpdxJson.Id("File", entry.Path));
            var owner = plan.Materials.Owners.GetValueOrDefault(entry.Path);
            result.Add((new SpdxFile
            {
                SpdxId = id,
                FileName = "./" + entry.Path,
                Checksums = [new SpdxChecksum(SpdxChecksumAlgorithm.Sha1, sha1), new SpdxChecksum(SpdxChecksumAlgorithm.Sha256, sha256)],
                Comment = owner is null ? "written by the build (no input package put it there)" : null,
            }, sha1, owner));
        }

        return result;
    }

    private static async Task<(string Sha1, string Sha256)> HashAsync(IContentSource content, CancellationToken cancellationToken)
    {
#pragma warning disable CA5350 // SPDX 2.3 requires SHA1 for files and the verification code (clauses 8.4, 7.9); sha256 is given beside it
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
#pragma warning restore CA5350
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        await using var stream = content.OpenRead();
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sha1.AppendData(buffer, 0, read);
            sha256.AppendData(buffer, 0, read);
        }

        return (Convert.ToHexStringLower(sha1.GetHashAndReset()), Convert.ToHexStringLower(sha256.GetHashAndReset()));
    }

    /// <summary>Clause 7.9: the SHA1 of the files' SHA1s (lower-case hex), sorted and concatenated.</summary>
    private static string VerificationCode(IEnumerable<string> sha1s)
    {
#pragma warning disable CA5350 // the algorithm the specification defines
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.ASCII.GetBytes(string.Concat(sha1s.Order(StringComparer.Ordinal)))));
#pragma warning restore CA5350
    }

    private static string Unique(HashSet<string> ids, string id)
    {
        var candidate = id;
        for (var n = 2; !ids.Add(candidate); n++)
        {
            candidate = $"{id}-{n}";
        }

        return candidate;
    }

    /// <summary>A download location: a URL on the network, else NOASSERTION (a path on the build host is not one, and would make the document depend on it).</summary>
    private static string Location(Uri? url) => url is null || url.IsFile ? SpdxDocument.NoAssertion : url.AbsoluteUri;

    /// <summary>The input packages, each once, in a fixed order, and the identifier of each material.</summary>
    private sealed class Inputs
    {
        private readonly Dictionary<BuildMaterial, string> _ids = [];
        private readonly HashSet<string> _used = new(StringComparer.Ordinal) { IsoId };

        public Inputs(BillOfMaterialsRequest request)
        {
            var plan = request.Plan;
            Packages.Add(Base(request));
            _used.Add(BaseId);
            if (plan.Engine is { } engine)
            {
                Packages.Add(Engine(engine, request.InputSha256.GetValueOrDefault("engine-tgz")));
                _used.Add(EngineId);
            }

            // Debian packages by name, version and architecture (one package can come in through several injections);
            // only those that put something in: a dependency unpacked only to resolve the closure (the base's own
            // glibc was used) is not in the ISO.
            var owners = plan.Materials.Owners.Values.ToHashSet();
            var debs = plan.Materials.Materials.OfType<BuildMaterial.DebianPackage>()
                .Where(owners.Contains)
                .GroupBy(d => (d.Extracted.Package.Name, d.Extracted.Package.Version, d.Extracted.Package.Architecture, d.Extracted.Sha256))
                .OrderBy(g => g.Key.Name, StringComparer.Ordinal).ThenBy(g => g.Key.Version, StringComparer.Ordinal).ThenBy(g => g.Key.Architecture, StringComparer.Ordinal);
            foreach (var group in debs)
            {
                var package = Debian(group.First().Extracted, Reserve(SpdxJson.Id("Package-deb", $"{group.Key.Name}-{group.Key.Version}-{group.Key.Architecture}")));
                Packages.Add(package);
                foreach (var material in group)
                {
                    _ids[material] = package.SpdxId;
                }
            }

            foreach (var material in plan.Materials.Materials)
            {
                var package = material switch
                {
                    BuildMaterial.Extension e => Extension(e, Reserve(SpdxJson.Id("Package-tcz", e.Resolved.Name))),
                    BuildMaterial.Overlay o => Overlay(o, request.RepositoryRoot),
                    BuildMaterial.HostBinary h => Host(h, Reserve(SpdxJson.Id("Package-host", h.Path))),
                    BuildMaterial.Image i => Image(i.Archive, Reserve(SpdxJson.Id("Package-image", ImageName(i.Archive)))),
                    _ => null,
                };
                if (package is not null)
                {
                    Packages.Add(package);
                    _ids[material] = package.SpdxId;
                }
            }
        }

        public List<SpdxPackage> Packages { get; } = [];

        public string IdOf(BuildMaterial material) => material is BuildMaterial.Engine ? EngineId : _ids[material];

        private string Reserve(string id) => Unique(_used, id);

        private static SpdxPackage Base(BillOfMaterialsRequest request)
        {
            var plan = request.Plan;
            if (plan.Base is BuildBase.Image image && !request.InputSha256.ContainsKey("base-iso"))
            {
                return new SpdxPackage
                {
                    SpdxId = BaseId,
                    Name = image.Reference,
                    VersionInfo = plan.BaseVersion,
                    DownloadLocation = SpdxDocument.NoAssertion,
                    SourceInfo = "the boot2docker base image in the Docker engine the docker builder used (never pulled by the build)",
                    PrimaryPackagePurpose = "CONTAINER",
                };
            }

            var name = request.BaseIsoUrl is { } url ? Uri.UnescapeDataString(url.Segments[^1])
                : plan.Base is BuildBase.IsoFile file ? Path.GetFileName(file.Opened.Path) : "boot2docker.iso";
            return new SpdxPackage
            {
                SpdxId = BaseId,
                Name = name,
                VersionInfo = plan.BaseVersion,
                PackageFileName = name,
                DownloadLocation = Location(request.BaseIsoUrl),
                Checksums = request.InputSha256.TryGetValue("base-iso", out var sha256) ? [new SpdxChecksum(SpdxChecksumAlgorithm.Sha256, sha256)] : null,
                SourceInfo = $"the boot2docker {plan.BaseVersion} release ISO the build started from",
                PrimaryPackagePurpose = "OPERATING_SYSTEM",
            };
        }

        private static SpdxPackage Engine(EngineInput engine, string? sha256)
        {
            var fileName = engine.Url is { IsFile: false } url ? url.Segments[^1] : $"docker-{engine.Version}.tgz";
            return new SpdxPackage
            {
                SpdxId = EngineId,
                Name = "docker",
                VersionInfo = engine.Version,
                PackageFileName = fileName,
                DownloadLocation = Location(engine.Url),
                Checksums = sha256 is null ? null : [new SpdxChecksum(SpdxChecksumAlgorithm.Sha256, sha256)],
                SourceInfo = engine.Channel is { } channel
                    ? $"the Docker engine archive of the {EngineChannels.Word(channel)} channel"
                    : engine.Url is { IsFile: false } ? "the Docker engine archive at the recipe's URL" : "a local Docker engine archive",
                PrimaryPackagePurpose = "APPLICATION",
            };
        }

        private static SpdxPackage Debian(ExtractedDebianPackage deb, string id)
        {
            var info = deb.Package;
            var purl = $"pkg:deb/debian/{Uri.EscapeDataString(info.Name)}@{Uri.EscapeDataString(info.Version)}?arch={Uri.EscapeDataString(info.Architecture)}"
                + (deb.Suite is { } suite ? $"&distro={Uri.EscapeDataString(suite)}" : "");
            return new SpdxPackage
            {
                SpdxId = id,
                Name = info.Name,
                VersionInfo = info.Version,
                PackageFileName = info.Filename is { } filename ? filename[(filename.LastIndexOf('/') + 1)..] : null,
                DownloadLocation = Location(deb.DownloadLocation),
                Checksums = [new SpdxChecksum(SpdxChecksumAlgorithm.Sha256, deb.Sha256)],
                SourceInfo = deb.Suite is { } s ? $"Debian {s}, architecture {info.Architecture}" : $"a local Debian package, architecture {info.Architecture}",
                LicenseDeclared = deb.License ?? SpdxDocument.NoAssertion,
                ExternalRefs = [SpdxExternalRef.PackageUrl(purl)],
            };
        }

        private static SpdxPackage Extension(BuildMaterial.Extension extension, string id) => new()
        {
            SpdxId = id,
            Name = extension.Resolved.Name,
            PackageFileName = extension.Resolved.Name,
            DownloadLocation = Location(extension.Resolved.Source),
            Checksums = [new SpdxChecksum(SpdxChecksumAlgorithm.Md5, extension.Resolved.Md5)],
            SourceInfo = extension.Resolved.Source.IsFile ? "a local Tiny Core extension" : "a Tiny Core extension from the mirror, checked against its .md5.txt",
        };

        private SpdxPackage Overlay(BuildMaterial.Overlay overlay, string repositoryRoot)
        {
            var relative = Path.GetRelativePath(repositoryRoot, overlay.Directory).Replace('\\', '/');
            var name = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFileName(overlay.Directory) : relative;
            return new SpdxPackage
            {
                SpdxId = Reserve(SpdxJson.Id("Package-overlay", name)),
                Name = name,
                DownloadLocation = SpdxDocument.NoAssertion,
                SourceInfo = "an overlay directory of the recipe, copied into the rootfs",
                PrimaryPackagePurpose = "FILE",
            };
        }

        /// <summary>A preloaded image: its name and digest (the registry's manifest digest, else the image ID), the archive's sha256.</summary>
        private static SpdxPackage Image(Boot2IsoKit.Stages.Images.ImageArchive archive, string id)
        {
            var pulled = archive.Pulled;
            var purl = pulled is null ? null
                : $"pkg:docker/{pulled.Repository}@{Uri.EscapeDataString(pulled.ManifestDigest)}?repository_url={Uri.EscapeDataString(pulled.Registry)}";
            return new SpdxPackage
            {
                SpdxId = id,
                Name = ImageName(archive),
                VersionInfo = pulled?.ManifestDigest ?? string.Join(" ", archive.Images.Select(i => i.ImageId)),
                PackageFileName = Path.GetFileName(archive.Path),
                DownloadLocation = Location(pulled?.ManifestUrl),
                Checksums = [new SpdxChecksum(SpdxChecksumAlgorithm.Sha256, archive.Sha256)],
                SourceInfo = pulled is null
                    ? "a docker save archive of the recipe, on the ISO's file system, loaded into dockerd at the first boot"
                    : $"pulled by digest from {pulled.Reference}{(pulled.IndexDigest is { } index ? $" (the linux/amd64 image of index {index})" : "")}, on the ISO's file system, loaded into dockerd at the first boot",
                PrimaryPackagePurpose = "CONTAINER",
                ExternalRefs = purl is null ? null : [SpdxExternalRef.PackageUrl(purl)],
            };
        }

        private static string ImageName(Boot2IsoKit.Stages.Images.ImageArchive archive) =>
            archive.Pulled?.Reference ?? (archive.Images.SelectMany(i => i.RepoTags).FirstOrDefault() ?? Path.GetFileName(archive.Path));

        private static SpdxPackage Host(BuildMaterial.HostBinary host, string id) => new()
        {
            SpdxId = id,
            Name = host.Path,
            DownloadLocation = SpdxDocument.NoAssertion,
            SourceInfo = "a binary taken from the build host, with the libraries it needs",
            PrimaryPackagePurpose = "APPLICATION",
        };
    }
}
