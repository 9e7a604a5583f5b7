namespace Boot2IsoKit.Engines;

/// <summary>The shapes Docker's static engine downloads have had (research boot2docker.md §4).</summary>
public enum EngineTarballLayout
{
    /// <summary>≤1.10: one binary, as <c>usr/local/bin/docker</c> in a tgz, a bare <c>docker</c> in a tgz, or the raw ELF file.</summary>
    SingleBinary,

    /// <summary>1.11–18.06: <c>docker/docker</c> beside <c>docker/docker-containerd*</c>, <c>docker/docker-runc</c>...</summary>
    PrefixedDocker,

    /// <summary>18.09+: <c>docker/{docker,dockerd,containerd,ctr,runc,containerd-shim,docker-init,docker-proxy}</c>.</summary>
    Modern,
}
