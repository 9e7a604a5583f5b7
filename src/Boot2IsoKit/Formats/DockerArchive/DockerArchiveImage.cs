namespace Boot2IsoKit.Formats.DockerArchive;

/// <summary>One image of a docker-load archive, as its manifest.json entry and its config say.</summary>
/// <param name="RepoTags">The names <c>docker load</c> gives it ("busybox:1.36"); empty for an untagged image.</param>
/// <param name="ImageId">"sha256:…" of the config: the ID <c>docker images</c> shows after loading.</param>
/// <param name="Layers">The layers, bottom first: the archive entry and the diff ID (sha256 of the uncompressed tar) it must have.</param>
internal sealed record DockerArchiveImage(IReadOnlyList<string> RepoTags, string ImageId, IReadOnlyList<DockerArchiveLayer> Layers);

/// <param name="Entry">The archive entry holding the layer tar (uncompressed, gzip or zstd, as docker load accepts).</param>
/// <param name="DiffId">"sha256:…" of the uncompressed layer tar, from the config's rootfs.diff_ids.</param>
/// <param name="Size">The entry's size in the archive.</param>
internal sealed record DockerArchiveLayer(string Entry, string DiffId, long Size);
