namespace Boot2IsoKit.Inputs.Engines;

/// <summary>
/// The shapes Docker's static engine downloads have had (moby's docs/installation/binaries.md for 1.11, docker/docs'
/// engine/installation/binaries.md for 1.12 and 1.13, boot2docker commit d97fccd for 18.09's unprefixed names).
/// </summary>
public enum EngineTarballLayout
{
    /// <summary>≤1.10: one binary, as <c>usr/local/bin/docker</c> in a tgz, a bare <c>docker</c> in a tgz, or the raw ELF file.</summary>
    SingleBinary,

    /// <summary>1.11–18.06: <c>docker/docker</c> beside <c>docker/docker-containerd*</c>, <c>docker/docker-runc</c>...</summary>
    PrefixedDocker,

    /// <summary>18.09+: <c>docker/{docker,dockerd,containerd,ctr,runc,containerd-shim,docker-init,docker-proxy}</c>.</summary>
    Modern,
}
