using System.Text;
using Boot2IsoKit.Inputs.Registry;

namespace Boot2IsoKit.Tests.Inputs.Registry;

/// <summary>
/// Manifests a current registry will not store for us (schema 1 needs its signature; broken JSON is refused at PUT), read
/// directly: each is a typed refusal with its reason.
/// </summary>
public sealed class ManifestDocumentTests
{
    private static readonly ImageReference Where = new("127.0.0.1:5000", "b2ik/tiny", "1", null);

    [Theory]
    // Docker's schema 1 (distribution's docs/spec/manifest-v2-1.md): schemaVersion 1, fsLayers, no config.
    [InlineData("""{"schemaVersion":1,"name":"b2ik/tiny","tag":"1","architecture":"amd64","fsLayers":[],"history":[]}""", null, nameof(UnsupportedManifestReason.Schema1))]
    [InlineData("""{"schemaVersion":2,"name":"x"}""", MediaTypes.DockerSchema1Signed, nameof(UnsupportedManifestReason.Schema1))]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip"}""", null, nameof(UnsupportedManifestReason.UnknownMediaType))]
    [InlineData("not json", MediaTypes.DockerManifest, nameof(UnsupportedManifestReason.Malformed))]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}""", null, nameof(UnsupportedManifestReason.Malformed))]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"x","digest":"sha512:00","size":1}]}""", null, nameof(UnsupportedManifestReason.Malformed))]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"x","size":1}]}""", null, nameof(UnsupportedManifestReason.Malformed))]
    public void Refuses_what_cannot_be_pulled_with_its_reason(string json, string? contentType, string reason)
    {
        var refused = Assert.Throws<RegistryUnsupportedManifestException>(() => ManifestDocument.Parse(Encoding.UTF8.GetBytes(json), contentType, Where, "sha256:" + new string('0', 64)));
        Assert.Equal(Enum.Parse<UnsupportedManifestReason>(reason), refused.Reason);
        Assert.Equal(Where.Registry, refused.Registry);
        Assert.Equal(Where.Repository, refused.Repository);
    }

    [Fact]
    public void An_oci_index_without_media_type_is_read_from_its_manifests_and_platforms()
    {
        var digest = "sha256:" + new string('a', 64);
        var json = """{"schemaVersion":2,"manifests":[{"mediaType":""" + $"\"{MediaTypes.OciManifest}\",\"digest\":\"{digest}\"" + ""","size":7,"platform":{"os":"linux","architecture":"amd64","variant":"v3"}}]}""";
        var index = Assert.IsType<IndexManifest>(ManifestDocument.Parse(Encoding.UTF8.GetBytes(json), MediaTypes.OciIndex, Where, digest));
        var entry = Assert.Single(index.Entries);
        Assert.True(entry.IsLinuxAmd64);
        Assert.Equal("linux/amd64/v3", entry.Platform);
        Assert.Equal(new ImageDescriptor(MediaTypes.OciManifest, digest, 7), entry.Descriptor);
    }

    /// <summary>Hostile bytes (flipped, cut, spliced copies of a valid manifest and index) end in a document or the typed error, never another exception.</summary>
    [Fact]
    public void Mutated_manifests_end_in_a_document_or_the_typed_error()
    {
        var digest = "sha256:" + new string('b', 64);
        var seeds = new[]
        {
            $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.DockerManifest}}}","config":{"mediaType":"{{{MediaTypes.DockerConfig}}}","size":7,"digest":"{{{digest}}}"},"layers":[{"mediaType":"{{{MediaTypes.DockerLayer}}}","size":12,"digest":"{{{digest}}}","urls":["http://x"]}]}""",
            $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","size":7,"digest":"{{{digest}}}","platform":{"architecture":"amd64","os":"linux"}}]}""",
        }.Select(Encoding.UTF8.GetBytes).ToArray();
        var random = new Random(20261201);
        var typed = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])seeds[i % seeds.Length].Clone();
            switch (random.Next(4))
            {
                case 0:
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }

                    break;
                case 1:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 2:
                    var at = random.Next(bytes.Length);
                    bytes = [.. bytes[..at], .. "\"size\":-1e999,\"schemaVersion\":99999999999,{"u8.ToArray(), .. bytes[at..]];
                    break;
                default:
                    var from = random.Next(bytes.Length);
                    bytes = [.. bytes[..from], .. bytes[Math.Min(bytes.Length, from + random.Next(1, 40))..]];
                    break;
            }

            try
            {
                ManifestDocument.Parse(bytes, random.Next(2) == 0 ? null : MediaTypes.OciManifest, Where, digest);
            }
            catch (RegistryUnsupportedManifestException)
            {
                typed++;
            }
        }

        Assert.InRange(typed, 1000, 3000);
    }
}
