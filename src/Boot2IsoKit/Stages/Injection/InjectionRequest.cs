namespace Boot2IsoKit.Stages.Injection;

/// <summary>How injected binaries get their libraries.</summary>
internal enum InjectionMode
{
    /// <summary>Try <see cref="Closure"/>; on a glibc/interpreter incompatibility fall back to <see cref="Bundled"/> (noted in the report).</summary>
    Auto,

    /// <summary>Copy the binary to its usual path and only the libraries the target lacks; the target's libc and loader are used.</summary>
    Closure,

    /// <summary>Ship the binary with its whole closure, libc and loader included, under /opt/b2ik/&lt;package&gt;/, behind a shell wrapper.</summary>
    Bundled,
}

/// <summary>What to inject, from where, into what.</summary>
internal sealed record InjectionRequest
{
    /// <summary>The donor root that holds the binaries and their libraries (host "/", extracted .debs, a container rootfs).</summary>
    public required DirectoryRootfs DonorRoot { get; init; }

    /// <summary>Absolute paths inside the donor ("/sbin/ipvsadm"); each lands at the same path in the target.</summary>
    public required IReadOnlyList<string> Binaries { get; init; }

    /// <summary>What the base rootfs already holds.</summary>
    public required ITargetRootfs Target { get; init; }

    public InjectionMode Mode { get; init; } = InjectionMode.Auto;

    /// <summary>Names the bundle directory and the report ("ipvsadm"); letters, digits, '.', '+', '-', '_' only.</summary>
    public required string PackageName { get; init; }

    /// <summary>
    /// Closure mode: where missing libraries go in the target. Default: the directory the target's
    /// libc.so.6 is found in (its loader searches it), else /usr/lib.
    /// </summary>
    public string? LibraryDirectory { get; init; }

    /// <summary>Bundled mode: the parent of the per-package directories.</summary>
    public string BundleRoot { get; init; } = "/opt/b2ik";
}
