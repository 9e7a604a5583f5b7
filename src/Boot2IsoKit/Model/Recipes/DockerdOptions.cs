namespace Boot2IsoKit.Model.Recipes;

/// <summary>The JSON shape of a daemon.json directive.</summary>
internal enum DaemonValueKind
{
    Bool,
    Number,
    Text,
    TextList,

    /// <summary>A mapping of text to text (log-opts); as flags, one <c>--flag=key=value</c> each.</summary>
    TextMap,

    /// <summary>A mapping of text to true/false (features); daemon.json only.</summary>
    BoolMap,

    /// <summary>A list of <c>{ base: CIDR, size: prefix length }</c> (default-address-pools); daemon.json only.</summary>
    AddressPools,

    /// <summary>A mapping of runtime name to <c>{ path, runtimeArgs }</c> (runtimes); daemon.json only.</summary>
    Runtimes,

    /// <summary>A mapping of ulimit name to <c>{ Hard, Soft }</c> (default-ulimits, written with its Name as dockerd reads it); daemon.json only.</summary>
    Ulimits,
}

/// <summary>One dockerd directive: its daemon.json key, its shape, its command-line flag (null: daemon.json only).</summary>
/// <param name="Since">The first engine that knows it, or null when every engine a boot2docker ISO can carry (17.06 on) does.</param>
/// <param name="Values">The only values dockerd takes, or null for any of the shape.</param>
internal sealed record DockerdOption(string Key, DaemonValueKind Kind, string? Flag, Version? Since = null, IReadOnlyList<string>? Values = null);

/// <summary>
/// The dockerd directives a recipe's <c>daemon:</c> may set, the one table of names, shapes and flags. It matches
/// the engine 20.10 era: moby v20.10's cmd/dockerd/config.go, config_unix.go and daemon/config/config.go
/// (the <c>json:"..."</c> tags name the keys, the pflag definitions the flags). Directives that boot2docker's
/// files/init.d/docker or docker-machine own (hosts, data-root, pidfile, TLS, the storage driver) are refused
/// with the reason, since dockerd would get them twice.
/// </summary>
internal static class DockerdOptions
{
    public static IReadOnlyList<DockerdOption> All { get; } =
    [
        new("allow-nondistributable-artifacts", DaemonValueKind.TextList, "--allow-nondistributable-artifacts"),
        new("authorization-plugins", DaemonValueKind.TextList, "--authorization-plugin"),
        new("bip", DaemonValueKind.Text, "--bip"),
        new("bridge", DaemonValueKind.Text, "--bridge"),
        new("cgroup-parent", DaemonValueKind.Text, "--cgroup-parent"),
        new("debug", DaemonValueKind.Bool, "--debug"),
        new("default-address-pools", DaemonValueKind.AddressPools, null, new Version(18, 6)),
        new("default-cgroupns-mode", DaemonValueKind.Text, "--default-cgroupns-mode", new Version(20, 10), ["host", "private"]),
        new("default-gateway", DaemonValueKind.Text, "--default-gateway"),
        new("default-ipc-mode", DaemonValueKind.Text, "--default-ipc-mode", new Version(18, 6), ["shareable", "private"]),
        new("default-runtime", DaemonValueKind.Text, "--default-runtime"),
        new("default-shm-size", DaemonValueKind.Text, "--default-shm-size"),
        new("default-ulimits", DaemonValueKind.Ulimits, null),
        new("dns", DaemonValueKind.TextList, "--dns"),
        new("dns-opts", DaemonValueKind.TextList, "--dns-opt"),
        new("dns-search", DaemonValueKind.TextList, "--dns-search"),
        new("exec-opts", DaemonValueKind.TextList, "--exec-opt"),
        new("experimental", DaemonValueKind.Bool, "--experimental"),
        new("features", DaemonValueKind.BoolMap, null, new Version(18, 9)),
        new("fixed-cidr", DaemonValueKind.Text, "--fixed-cidr"),
        new("icc", DaemonValueKind.Bool, "--icc"),
        new("init", DaemonValueKind.Bool, "--init"),
        new("insecure-registries", DaemonValueKind.TextList, "--insecure-registry"),
        new("ip", DaemonValueKind.Text, "--ip"),
        new("ip-forward", DaemonValueKind.Bool, "--ip-forward"),
        new("ip-masq", DaemonValueKind.Bool, "--ip-masq"),
        new("iptables", DaemonValueKind.Bool, "--iptables"),
        new("ipv6", DaemonValueKind.Bool, "--ipv6"),
        new("labels", DaemonValueKind.TextList, "--label"),
        new("live-restore", DaemonValueKind.Bool, "--live-restore"),
        new("log-driver", DaemonValueKind.Text, "--log-driver"),
        new("log-level", DaemonValueKind.Text, "--log-level", null, ["debug", "info", "warn", "error", "fatal"]),
        new("log-opts", DaemonValueKind.TextMap, "--log-opt"),
        new("max-concurrent-downloads", DaemonValueKind.Number, "--max-concurrent-downloads"),
        new("max-concurrent-uploads", DaemonValueKind.Number, "--max-concurrent-uploads"),
        new("max-download-attempts", DaemonValueKind.Number, "--max-download-attempts", new Version(20, 10)),
        new("metrics-addr", DaemonValueKind.Text, "--metrics-addr"),
        new("mtu", DaemonValueKind.Number, "--mtu"),
        new("no-new-privileges", DaemonValueKind.Bool, "--no-new-privileges"),
        new("registry-mirrors", DaemonValueKind.TextList, "--registry-mirror"),
        new("runtimes", DaemonValueKind.Runtimes, null),
        new("shutdown-timeout", DaemonValueKind.Number, "--shutdown-timeout"),
        new("storage-opts", DaemonValueKind.TextList, "--storage-opt"),
        new("userland-proxy", DaemonValueKind.Bool, "--userland-proxy"),
        new("userns-remap", DaemonValueKind.Text, "--userns-remap"),
    ];

    /// <summary>Directives dockerd knows that boot2docker's init script or docker-machine already sets, with who does.</summary>
    public static IReadOnlyDictionary<string, string> OwnedByBoot2Docker { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["hosts"] = "boot2docker's init.d/docker passes -H (and docker-machine's DOCKER_HOST in the profile)",
        ["data-root"] = "boot2docker's init.d/docker passes --data-root \"$DOCKER_DIR\" (set DOCKER_DIR in the profile)",
        ["graph"] = "boot2docker's init.d/docker passes --data-root \"$DOCKER_DIR\" (set DOCKER_DIR in the profile)",
        ["pidfile"] = "boot2docker's init.d/docker passes --pidfile /var/run/docker.pid",
        ["storage-driver"] = "the profile's DOCKER_STORAGE sets it (docker-machine writes overlay2 there)",
        ["tls"] = "docker-machine sets up the daemon's TLS through the profile (DOCKER_TLS, CACERT, SERVERCERT, SERVERKEY)",
        ["tlsverify"] = "docker-machine sets up the daemon's TLS through the profile (DOCKER_TLS, CACERT, SERVERCERT, SERVERKEY)",
        ["tlscacert"] = "docker-machine sets up the daemon's TLS through the profile (CACERT)",
        ["tlscert"] = "docker-machine sets up the daemon's TLS through the profile (SERVERCERT)",
        ["tlskey"] = "docker-machine sets up the daemon's TLS through the profile (SERVERKEY)",
    };

    public static DockerdOption? Find(string key) => All.FirstOrDefault(o => string.Equals(o.Key, key, StringComparison.Ordinal));
}
