namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>
/// The fixture's <c>/init</c> (busybox sh). It stands in for Tiny Core's boot scripts: instead of
/// starting services it reports the facts the tests need on the serial console
/// (<see cref="FixtureMarkers"/>) and powers the VM off.
/// </summary>
internal static class FixtureInit
{
    public const string Script = """
        #!/bin/sh
        # Boot2IsoKit fixture init: print B2IK markers on the serial console, then power off.
        export PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
        mount -t devtmpfs devtmpfs /dev 2>/dev/null
        exec </dev/console >/dev/console 2>&1
        echo B2IK-BOOTED
        mount -t proc proc /proc
        mount -t sysfs sysfs /sys
        mount -t tmpfs tmpfs /tmp
        hostname boot2docker

        # section NAME COMMAND...: run COMMAND, print its output between BEGIN and END lines.
        section() {
            name=$1
            shift
            echo "B2IK-BEGIN $name"
            "$@" >/tmp/b2ik-section 2>&1
            rc=$?
            cat /tmp/b2ik-section
            # Keep the END marker on a line of its own even if the output had no final newline.
            if [ -s /tmp/b2ik-section ] && [ -n "$(tail -c 1 /tmp/b2ik-section)" ]; then
                echo
            fi
            echo "B2IK-END $name rc=$rc"
        }

        section motd cat /etc/motd
        section os-release cat /etc/os-release
        section docker-version docker --version
        section uname uname -r
        # libc.so.6 run as a program prints its version; through the loader by path, so it also works
        # without /lib64 (Tiny Core shape) and on glibc < 2.33, whose loader has no --version.
        section glibc /lib/ld-linux-x86-64.so.2 /lib/libc.so.6
        for script in /etc/b2ik/test.d/*; do
            if [ -f "$script" ] && [ -x "$script" ]; then
                section "${script##*/}" "$script"
            fi
        done
        echo B2IK-DONE
        sync
        poweroff -f
        # Fallback if poweroff did not work: ask the kernel directly.
        echo o >/proc/sysrq-trigger
        sleep 5
        """;
}
