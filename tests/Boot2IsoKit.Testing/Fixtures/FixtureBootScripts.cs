namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>
/// The boot scripts a fixture runs when an engine is pinned (Fixtures/Scripts, embedded), and where each
/// layout keeps them: the same script names as boot2docker 19.03 (files/bootsync.sh, files/init.d/*) and
/// the legacy layout (rootfs/rootfs/opt/bootscript.sh, etc/rc.d/*, usr/local/etc/init.d/docker).
/// </summary>
internal static class FixtureBootScripts
{
    /// <summary>Rootfs path → embedded script, for a layout.</summary>
    public static IReadOnlyList<(string Path, string Script)> For(FixtureLayout layout) => layout == FixtureLayout.New
        ?
        [
            ("opt/bootsync.sh", "bootsync.sh"),
            ("etc/init.d/autoformat", "autoformat"),
            ("etc/init.d/docker", "docker"),
            ("usr/local/sbin/cgroupfs-mount", "cgroupfs-mount"),
            ("usr/local/etc/init.d/dropbear", "dropbear"),
            ("usr/local/tce.installed/ca-certificates", "ca-certificates"),
        ]
        :
        [
            ("opt/bootscript.sh", "bootscript.sh"),
            ("etc/rc.d/automount", "autoformat"),
            ("usr/local/etc/init.d/docker", "docker"),
            ("etc/rc.d/cgroupfs-mount", "cgroupfs-mount"),
            ("etc/rc.d/sshd", "dropbear"),
        ];

    /// <summary>Files every layout has: the hardware and network bring-up, and udhcpc's event script.</summary>
    public static IReadOnlyList<(string Path, string Script)> Common { get; } =
    [
        ("etc/b2ik/hardware.sh", "hardware.sh"),
        ("usr/share/udhcpc/default.script", "udhcpc-default.script"),
    ];

    /// <summary>busybox init's table: the layout's boot script as the one sysinit action.</summary>
    public static string Inittab(FixtureLayout layout) =>
        Text("inittab").Replace("@BOOT_SCRIPT@", layout == FixtureLayout.New ? "/opt/bootsync.sh" : "/opt/bootscript.sh", StringComparison.Ordinal);

    public static string Text(string script)
    {
        var name = "Boot2IsoKit.Testing.Fixtures.Scripts." + script;
        using var stream = typeof(FixtureBootScripts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The Testing assembly has no embedded script {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
