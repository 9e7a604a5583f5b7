namespace Boot2IsoKit.Inputs.Registry;

/// <summary>An OCI content descriptor (image-spec descriptor.md): what a manifest says of a blob it references.</summary>
internal sealed record ImageDescriptor(string MediaType, string Digest, long Size)
{
    /// <summary>The digest's 64 hex digits: the blob's file name in a store.</summary>
    public string Hex => Digest["sha256:".Length..];
}

/// <summary>
/// One linux/amd64 image: the digest of its image manifest (the one <c>docker load</c> and <c>docker images --digests</c>
/// know), the index/list digest when the reference named a multi-platform one, its config blob and its layers in order.
/// </summary>
internal sealed record ResolvedImage(ImageReference Reference, string ManifestDigest, string? IndexDigest, ImageDescriptor Config, IReadOnlyList<ImageDescriptor> Layers);
