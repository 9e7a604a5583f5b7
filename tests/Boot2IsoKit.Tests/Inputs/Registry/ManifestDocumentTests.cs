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
}
