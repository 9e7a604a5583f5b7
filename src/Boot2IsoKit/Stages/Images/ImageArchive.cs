using Boot2IsoKit.Formats.DockerArchive;
using Boot2IsoKit.Model.Recipes;

namespace Boot2IsoKit.Stages.Images;

/// <summary>One item of the recipe's <c>images:</c>, as a checked docker-load archive ready to be baked.</summary>
/// <param name="Spec">The recipe item.</param>
/// <param name="Path">The archive: the recipe's file, or one written from pulled blobs.</param>
/// <param name="Sha256">The archive's sha256.</param>
/// <param name="Images">What it holds, each verified against its digests.</param>
/// <param name="Pulled">Where a pulled image came from; null for a recipe's archive.</param>
internal sealed record ImageArchive(ImageSpec Spec, string Path, string Sha256, long Size, IReadOnlyList<DockerArchiveImage> Images, PulledImage? Pulled);

/// <summary>A registry image: the reference as resolved, the digests the registry served it by, and its manifest URL.</summary>
/// <param name="Reference">The canonical reference ("127.0.0.1:5000/b2ik/tiny:1").</param>
/// <param name="Registry">Its registry part ("127.0.0.1:5000", "docker.io").</param>
/// <param name="Repository">Its repository ("b2ik/tiny", "library/busybox").</param>
/// <param name="ManifestDigest">The linux/amd64 image manifest's digest.</param>
/// <param name="IndexDigest">The multi-platform index the reference named, if it named one.</param>
/// <param name="ManifestUrl">Where the manifest is served by digest.</param>
internal sealed record PulledImage(string Reference, string Registry, string Repository, string ManifestDigest, string? IndexDigest, Uri ManifestUrl);
