namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>The small text files of a fixture rootfs and ISO tree, shaped like boot2docker's.</summary>
internal static class FixtureRootfsText
{
    /// <summary>Our own banner (not boot2docker's art): tests compare what the VM prints with this file.</summary>
    public const string Motd = """
                    ##        .
              ## ## ##       ==
           ## ## ## ##      ===
         /--------------\___/ ===
          {                    /  ===-
         \______ o        __/
           \    \      __/
            \____\____/
        Boot2IsoKit fixture: a boot2docker-shaped ISO built from Debian packages.
        Not a real boot2docker: the docker command here only prints its version.

        """;

    public static string OsRelease(FixtureLayout layout, string engineVersion) => layout == FixtureLayout.New
        ? $"""
            NAME=Boot2Docker
            VERSION={engineVersion}
            ID=boot2docker
            ID_LIKE=tcl
            VERSION_ID={engineVersion}
            PRETTY_NAME="Boot2Docker {engineVersion} (TCL 10.1)"
            ANSI_COLOR="1;34"

            """
        // Legacy make_iso.sh regenerated this from /etc/version, /etc/boot2docker and TCL's release.txt.
        : $"""
            NAME=Boot2Docker
            VERSION={engineVersion}
            ID=boot2docker
            ID_LIKE=tcl
            VERSION_ID={engineVersion}
            PRETTY_NAME="Boot2Docker {engineVersion} (TCL 8.2.1); {BuildStamp}"
            ANSI_COLOR="1;34"

            """;

    /// <summary>Legacy <c>/etc/boot2docker</c>: "branch : sha - date".</summary>
    public const string BuildStamp = "fixture : boot2isokit - Sat Aug 25 00:00:00 UTC 2018";

    public static string DockerStandIn(string engineVersion, string build) => $"""
        #!/bin/sh
        # Stand-in for the static Docker client of a real boot2docker ISO; tests pin a real engine over it.
        echo "Docker version {engineVersion}, build {build}"

        """;

    public const string Hosts = """
        127.0.0.1 localhost boot2docker

        """;

    /// <summary>Tiny Core lets its user run anything with sudo; a command over SSH gets dropbear's PATH, hence secure_path.</summary>
    public const string Sudoers = """
        Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        root ALL=(ALL) ALL
        docker ALL=(ALL) NOPASSWD: ALL

        """;

    /// <summary>sudo asks PAM; the docker user needs no password, as on boot2docker.</summary>
    public const string SudoPam = """
        auth sufficient pam_permit.so
        account sufficient pam_permit.so
        session sufficient pam_permit.so

        """;

    /// <summary>boot2docker's Dockerfile sets the docker user's password to tcuser (chpasswd): a login without a userdata key.</summary>
    public const string Shadow = """
        root:*:18442:0:99999:7:::
        docker:$6$b2ikfixture$lQHlitPHasHyURMKO9H6UkMmAbbjs4EyS0SaHeRcMlwkYUqeB1NCVrl58WWcV5Izv1g2c4dMES0Lotrns8EhZ1:18442:0:99999:7:::

        """;

    public const string Passwd = """
        root:x:0:0:root:/root:/bin/sh
        docker:x:1000:50:Docker:/home/docker:/bin/sh

        """;

    public const string Group = """
        root:x:0:
        staff:x:50:docker
        docker:x:100:docker

        """;

    public const string NewIsolinuxCfg = """
        serial 0

        ui menu.c32
        prompt 1
        menu title Boot2Docker
        timeout 1

        label boot2docker
        	menu label Boot2Docker
        	kernel /boot/vmlinuz
        	initrd /boot/initrd.img
        	append loglevel=3 quiet console=ttyS0 panic=-1 noembed norestore base

        """;

    public const string OldIsolinuxCfg = """
        serial 0 9600
        display boot.msg
        default boot2docker
        label boot2docker
        	kernel /boot/vmlinuz64 com1=9600,8n1
        	initrd /boot/initrd.img
        	append loglevel=3 quiet user=docker console=ttyS0 panic=-1 noembed nomodeset norestore base
        implicit 0
        prompt 1
        timeout 1
        F1 boot.msg

        """;

    public const string OldBootMessage = """
        Boot2IsoKit fixture (legacy boot2docker layout). Press <Enter> to begin.

        """;
}
