namespace Boot2IsoKit.Inputs.Registry;

/// <summary>
/// The media types of docker's image manifest v2 schema 2 and manifest list (distribution's docs/spec/manifest-v2-2.md)
/// and of the OCI image spec (image-spec media-types.md), and which of them we pull.
/// </summary>
internal static class MediaTypes
{
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";

    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciNonDistributablePrefix = "application/vnd.oci.image.layer.nondistributable.";

    /// <summary>The Accept header of a manifest GET: what we can read, image manifests first.</summary>
    public static readonly IReadOnlyList<string> Accepted = [DockerManifest, OciManifest, DockerManifestList, OciIndex];

    public static bool IsImageManifest(string mediaType) => mediaType is DockerManifest or OciManifest;

    public static bool IsIndex(string mediaType) => mediaType is DockerManifestList or OciIndex;

    public static bool IsSchema1(string mediaType) => mediaType is DockerSchema1 or DockerSchema1Signed;

    public static bool IsConfig(string mediaType) => mediaType is DockerConfig or OciConfig;

    public static bool IsForeignLayer(string mediaType) =>
        mediaType == DockerForeignLayer || mediaType.StartsWith(OciNonDistributablePrefix, StringComparison.Ordinal);

    /// <summary>Layers a registry serves: docker's gzip tar, OCI's tar, tar+gzip and tar+zstd.</summary>
    public static bool IsLayer(string mediaType) =>
        mediaType is DockerLayer or OciLayer or OciLayer + "+gzip" or OciLayer + "+zstd";
}
