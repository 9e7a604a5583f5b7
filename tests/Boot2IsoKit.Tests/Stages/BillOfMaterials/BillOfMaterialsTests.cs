using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Pipeline;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;
using Json.Schema;

namespace Boot2IsoKit.Tests.Stages.BillOfMaterials;

/// <summary>
/// Issue 17's bill of materials: every build writes &lt;iso&gt;.spdx.json, valid against SPDX's own 2.3 schema,
/// listing each input with the facts it came with and every file the build added with the sha256 the ISO
/// really carries; the same inputs give the same bytes; the bundle carries it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BillOfMaterialsTests(BillOfMaterialsBuilds builds) : IClassFixture<BillOfMaterialsBuilds>
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "Stages", "BillOfMaterials", "spdx-schema-2.3.json")));

    private static JsonNode Document(BuildRecord record) => JsonNode.Parse(File.ReadAllText(record.Iso + ".spdx.json"))!;

    private static EvaluationResults Validate(JsonNode document)
    {
        using var parsed = JsonDocument.Parse(document.ToJsonString());
        return Schema.Value.Evaluate(parsed.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Errors(EvaluationResults results) =>
        string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    [Fact]
    public async Task The_document_is_valid_spdx_2_3_and_the_schema_refuses_a_broken_one()
    {
        var built = await builds.GetAsync();
        var document = Document(built.First);

        var results = Validate(document);
        Assert.True(results.IsValid, Errors(results));
        Assert.Equal("SPDX-2.3", (string?)document["spdxVersion"]);

        // The schema really checks: a package without its download location is refused.
        var broken = document.DeepClone();
        broken["packages"]![1]!.AsObject().Remove("downloadLocation");
        Assert.False(Validate(broken).IsValid);
    }

    [Fact]
    public async Task Every_listed_file_has_the_sha256_the_iso_s_rootfs_carries()
    {
        var built = await builds.GetAsync();
        var document = Document(built.First);
        var rootfs = BuiltRootfs.Read(built.First.Iso);
        var files = document["files"]!.AsArray();

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var path = ((string)file!["fileName"]!)["./".Length..];
            var bytes = rootfs.ReadAllBytes(path);
            Assert.True(bytes is not null, $"{path} is listed but is no regular file of the ISO's rootfs");
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), Checksum(file, "SHA256"));
#pragma warning disable CA5350 // the SHA1 SPDX requires, checked as well
            Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(bytes)), Checksum(file, "SHA1"));
#pragma warning restore CA5350
        }

        // The files the recipe's inputs put in are all there.
        var listed = files.Select(f => ((string)f!["fileName"]!)["./".Length..]).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(BillOfMaterialsBuilds.ExtensionBinary, listed);
        Assert.Contains(BillOfMaterialsBuilds.OverlayFile, listed);
        Assert.Contains("usr/local/bin/docker", listed);
        Assert.Contains("etc/os-release", listed);
        Assert.Contains(listed, p => p.EndsWith("sbin/ipvsadm", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_packages_carry_the_facts_of_each_input()
    {
        var built = await builds.GetAsync();
        var document = Document(built.First);
        var packages = document["packages"]!.AsArray().Select(p => p!).ToList();

        var iso = Package(packages, "SPDXRef-Package-iso");
        Assert.Equal(built.First.Sha256, Checksum(iso, "SHA256"));
        Assert.Equal(Sha256File(built.First.Iso), built.First.Sha256);
        Assert.EndsWith("-" + built.First.Sha256, (string)document["documentNamespace"]!, StringComparison.Ordinal);

        var baseIso = Package(packages, "SPDXRef-Package-base");
        Assert.Equal(Sha256File(built.Fixture.IsoPath), Checksum(baseIso, "SHA256"));
        Assert.Equal("19.03.12", (string?)baseIso["versionInfo"]);

        var engine = Package(packages, "SPDXRef-Package-engine");
        Assert.Equal(built.EngineVersion, (string?)engine["versionInfo"]);
        Assert.Equal(built.EngineUrl.AbsoluteUri, (string?)engine["downloadLocation"]);
        Assert.Contains("stable channel", (string?)engine["sourceInfo"], StringComparison.Ordinal);
        Assert.Equal(built.First.Inputs["engine-tgz"], Checksum(engine, "SHA256"));

        var extension = packages.Single(p => (string?)p["name"] == BillOfMaterialsBuilds.ExtensionName);
        Assert.Equal(built.ExtensionUrl.AbsoluteUri, (string?)extension["downloadLocation"]);
#pragma warning disable CA5351 // the md5 Tiny Core names an extension by
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(await File.ReadAllBytesAsync(built.Extension, TestContext.Current.CancellationToken))), Checksum(extension, "MD5"));
#pragma warning restore CA5351

        Assert.Contains(packages, p => (string?)p["name"] == "overlay" && ((string?)p["SPDXID"])!.StartsWith("SPDXRef-Package-overlay", StringComparison.Ordinal));

        // The preloaded image: its name, its image ID (the config's digest, read here from the archive itself) and the archive's sha256.
        var image = packages.Single(p => (string?)p["name"] == BillOfMaterialsBuilds.ImageTag);
        Assert.Equal(Sha256File(built.Image), Checksum(image, "SHA256"));
        Assert.Equal("CONTAINER", (string?)image["primaryPackagePurpose"]);
        Assert.Equal(ImageConfigDigest(built.Image), (string?)image["versionInfo"]);

        // Each Debian package against the .deb itself, read by dpkg-deb: name, version, architecture, sha256, licence.
        var debs = packages.Where(p => ((string?)p["SPDXID"])!.StartsWith("SPDXRef-Package-deb-", StringComparison.Ordinal)).ToList();
        Assert.Contains(debs, p => (string?)p["name"] == "ipvsadm");
        foreach (var deb in debs)
        {
            var sha256 = Checksum(deb, "SHA256");
            var fileName = (string)deb["packageFileName"]!;
            var path = Path.Combine(built.CacheDirectory, "debian", "debs", $"{sha256}-{fileName}");
            Assert.True(File.Exists(path), $"{path}: the .deb the document names is not in the cache");
            Assert.Equal(sha256, Sha256File(path));
            var fields = (await ExternalTool.RunCheckedAsync("dpkg-deb", ["-f", path, "Package", "Version", "Architecture"], cancellationToken: TestContext.Current.CancellationToken)).StandardOutput;
            Assert.Contains($"Package: {deb["name"]}\n", fields, StringComparison.Ordinal);
            Assert.Contains($"Version: {deb["versionInfo"]}\n", fields, StringComparison.Ordinal);
            var architecture = fields.Split('\n').Single(l => l.StartsWith("Architecture: ", StringComparison.Ordinal))["Architecture: ".Length..];
            var purl = (string)deb["externalRefs"]![0]!["referenceLocator"]!;
            Assert.Contains($"?arch={architecture}&distro=bullseye", purl, StringComparison.Ordinal);
            Assert.EndsWith(fileName, (string)deb["downloadLocation"]!, StringComparison.Ordinal);

            var copyright = await ExternalTool.RunAsync("bash", ["-c", $"dpkg-deb --fsys-tarfile '{path}' | tar -xO './usr/share/doc/{deb["name"]}/copyright' 2>/dev/null | head -1"], cancellationToken: TestContext.Current.CancellationToken);
            var machineReadable = copyright.StandardOutput.StartsWith("Format:", StringComparison.Ordinal) && copyright.StandardOutput.Contains("copyright-format", StringComparison.Ordinal);
            if (!machineReadable)
            {
                Assert.Equal("NOASSERTION", (string?)deb["licenseDeclared"]);
            }
        }

        // ipvsadm's copyright file is free text; bullseye's libpopt0 has a DEP-5 one (X-Consortium for the code, GPL-2+ for debian/*).
        Assert.Equal("NOASSERTION", (string?)debs.Single(p => (string?)p["name"] == "ipvsadm")["licenseDeclared"]);
        Assert.Equal("X11 AND GPL-2.0-or-later", (string?)debs.Single(p => (string?)p["name"] == "libpopt0")["licenseDeclared"]);
    }

    [Fact]
    public async Task The_iso_contains_every_package_and_file_and_each_input_generated_what_it_put_in()
    {
        var built = await builds.GetAsync();
        var document = Document(built.First);
        var packages = document["packages"]!.AsArray().Select(p => (string)p!["SPDXID"]!).ToList();
        var files = document["files"]!.AsArray().ToDictionary(f => ((string)f!["fileName"]!)["./".Length..], f => (string)f!["SPDXID"]!, StringComparer.Ordinal);
        var relationships = document["relationships"]!.AsArray()
            .Select(r => ((string)r!["spdxElementId"]!, (string)r["relationshipType"]!, (string)r["relatedSpdxElement"]!))
            .ToList();

        Assert.Contains(("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Package-iso"), relationships);
        foreach (var package in packages.Where(p => p != "SPDXRef-Package-iso"))
        {
            Assert.Contains(("SPDXRef-Package-iso", "CONTAINS", package), relationships);
        }

        foreach (var file in files.Values)
        {
            Assert.Contains(("SPDXRef-Package-iso", "CONTAINS", file), relationships);
            Assert.True(relationships.Count(r => r.Item2 == "GENERATES" && r.Item3 == file) <= 1, $"{file} has more than one input");
        }

        var ids = packages.Concat(files.Values).Append("SPDXRef-DOCUMENT").ToHashSet(StringComparer.Ordinal);
        Assert.All(relationships, r => Assert.True(ids.Contains(r.Item1) && ids.Contains(r.Item3), $"{r} names an element the document does not have"));

        string GeneratorOf(string path) => relationships.Single(r => r.Item2 == "GENERATES" && r.Item3 == files[path]).Item1;
        Assert.Equal("SPDXRef-Package-engine", GeneratorOf("usr/local/bin/docker"));
        Assert.StartsWith("SPDXRef-Package-tcz-hello.tcz", GeneratorOf(BillOfMaterialsBuilds.ExtensionBinary), StringComparison.Ordinal);
        Assert.StartsWith("SPDXRef-Package-overlay", GeneratorOf(BillOfMaterialsBuilds.OverlayFile), StringComparison.Ordinal);
        Assert.StartsWith("SPDXRef-Package-deb-ipvsadm-", GeneratorOf(files.Keys.Single(p => p.EndsWith("sbin/ipvsadm", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.StartsWith("SPDXRef-Package-deb-libpopt0-", GeneratorOf(files.Keys.Single(p => p.Contains("libpopt.so.0", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.DoesNotContain(relationships, r => r.Item2 == "GENERATES" && r.Item3 == files["etc/os-release"]); // stamped by the build
    }

    [Fact]
    public async Task Two_builds_of_the_same_inputs_write_the_same_bytes_dated_by_the_source_date()
    {
        var built = await builds.GetAsync();

        Assert.NotEqual(built.First.Iso, built.Second.Iso);
        Assert.True(built.First.Sha256 == built.Second.Sha256, RootfsDifferences(built.First.Iso, built.Second.Iso));
        Assert.Equal(await File.ReadAllBytesAsync(built.First.Iso + ".spdx.json", TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(built.Second.Iso + ".spdx.json", TestContext.Current.CancellationToken));

        // created is the build's source date (every date of the ISO), not the time of the build.
        using var iso = IsoImage.Open(built.First.Iso);
        var created = DateTimeOffset.Parse((string)Document(built.First)["creationInfo"]!["created"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(iso.ModificationTime ?? iso.CreationTime, created);
    }

    /// <summary>What a failed reproducibility check shows: the rootfs entries the two ISOs disagree on.</summary>
    private static string RootfsDifferences(string first, string second)
    {
        static Dictionary<string, string> Describe(string iso) => BuiltRootfs.Read(iso).Entries.ToDictionary(
            e => e.Path,
            e => $"member {e.MemberIndex} mode {Convert.ToString(e.Header.Mode, 8)} uid {e.Header.Uid} gid {e.Header.Gid} mtime {e.Header.ModificationTime} links {e.Header.LinkCount} size {e.Header.FileSize} -> {e.SymlinkTarget} sha256 {(e.Data is null ? "-" : BillOfMaterialsBuilds.Sha256(e.Data))}",
            StringComparer.Ordinal);

        var a = Describe(first);
        var b = Describe(second);
        var differences = a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(path => a.GetValueOrDefault(path) != b.GetValueOrDefault(path))
            .Select(path => $"{path}:\n  first:  {a.GetValueOrDefault(path) ?? "absent"}\n  second: {b.GetValueOrDefault(path) ?? "absent"}")
            .Take(20)
            .ToList();
        return differences.Count == 0
            ? "the two ISOs differ, but their rootfs entries are the same (the difference is outside the initrd)"
            : "the two ISOs differ in their rootfs:\n" + string.Join("\n", differences);
    }

    [Fact]
    public async Task The_bundle_carries_the_document_and_its_checksum()
    {
        var built = await builds.GetAsync();
        var root = Directory.CreateTempSubdirectory("b2ik-sbom-bundle-").FullName;
        try
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["iso"] = built.First.Iso };
            using (var pipeline = new IsoPipeline(new PipelineContext(root, root, PipelineArguments.Read(values), PipelineLog.Silent)))
            {
                pipeline.Bundle();
            }

            var tarGz = Directory.GetFiles(Path.Combine(root, "artifacts", "bundle"), "*.tar.gz").Single();
            var name = Path.GetFileName(tarGz)[..^".tar.gz".Length];
            var inBundle = (await ExternalTool.RunCheckedAsync("bsdtar", ["-xOf", tarGz, $"{name}/boot2docker.iso.spdx.json"], cancellationToken: TestContext.Current.CancellationToken)).StandardOutput;
            Assert.Equal(await File.ReadAllTextAsync(built.First.Iso + ".spdx.json", TestContext.Current.CancellationToken), inBundle);
            var sums = (await ExternalTool.RunCheckedAsync("bsdtar", ["-xOf", tarGz, $"{name}/SHA256SUMS"], cancellationToken: TestContext.Current.CancellationToken)).StandardOutput;
            Assert.Contains($"{Sha256File(built.First.Iso + ".spdx.json")}  boot2docker.iso.spdx.json\n", sums, StringComparison.Ordinal);

            // seed.sh checks every line of SHA256SUMS: the extracted bundle passes its own check.
            var extracted = Path.Combine(root, "extracted");
            Directory.CreateDirectory(extracted);
            await ExternalTool.RunCheckedAsync("bsdtar", ["-xf", tarGz, "-C", extracted], cancellationToken: TestContext.Current.CancellationToken);
            var check = await ExternalTool.RunAsync("sha256sum", ["-c", "SHA256SUMS"], Path.Combine(extracted, name), cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(check.ExitCode == 0, check.StandardOutput + check.StandardError);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static JsonNode Package(List<JsonNode> packages, string id) => packages.Single(p => (string?)p["SPDXID"] == id);

    private static string? Checksum(JsonNode element, string algorithm) =>
        element["checksums"]?.AsArray().SingleOrDefault(c => (string?)c!["algorithm"] == algorithm)?["checksumValue"]?.GetValue<string>();

    /// <summary>"sha256:" + the sha256 of the config manifest.json names, read with System.Formats.Tar (not the library's reader).</summary>
    private static string ImageConfigDigest(string archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var reader = new System.Formats.Tar.TarReader(File.OpenRead(archive)))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    files[entry.Name] = copy.ToArray();
                }
            }
        }

        var configName = (string)JsonNode.Parse(files["manifest.json"])!.AsArray().Single()!["Config"]!;
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(files[configName]));
    }

    private static string Sha256File(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
