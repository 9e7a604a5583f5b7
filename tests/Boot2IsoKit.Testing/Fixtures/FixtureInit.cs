namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>
/// The fixture's <c>/init</c> (busybox sh). With <c>noembed</c> on the command line it first moves the
/// root into a tmpfs, as Tiny Core's init does. It reports the facts the tests need on the serial console
/// (<see cref="FixtureMarkers"/>), after running the extensions' tce.installed scripts the way Tiny Core's
/// tce-setup does at boot; then, without a <c>dockerd</c> in /usr/local/bin, it powers the VM off;
/// with one, busybox init runs the layout's boot script (<see cref="FixtureBootScripts"/>) and the VM stays up.
/// </summary>
internal static class FixtureInit
{
    public const string Script = """
        #!/bin/sh
        # Boot2IsoKit fixture /init. Like Tiny Core's init with the noembed boot code, it first copies the
        # root into a tmpfs and switch_roots there (runc's pivot_root fails on the initramfs itself).
        export PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
        mount -t devtmpfs devtmpfs /dev 2>/dev/null
        mount -t proc proc /proc
        if [ $$ = 1 ] && [ ! -e /.b2ik-tmpfs-root ] && grep -qw noembed /proc/cmdline; then
            mkdir -p /b2ik-root
            mount -t tmpfs -o mode=0755 tmpfs /b2ik-root
            for entry in /* /.[!.]*; do
                case "$entry" in /b2ik-root|/proc|/dev|/sys|'/.[!.]*') continue ;; esac
                cp -a "$entry" /b2ik-root/
            done
            mkdir -p /b2ik-root/proc /b2ik-root/dev /b2ik-root/sys
            : > /b2ik-root/.b2ik-tmpfs-root
            umount /proc
            mount --move /dev /b2ik-root/dev
            exec switch_root /b2ik-root /init
        fi
        exec </dev/console >/dev/console 2>&1
        echo B2IK-BOOTED
        mount -t sysfs sysfs /sys
        # /tmp is the root's own directory, as on Tiny Core (no tmpfs over it): the image's /tmp/setup.lst stays visible.
        chmod 1777 /tmp
        hostname boot2docker
        # Tiny Core's tc-config runs "tce-setup booting" before /opt/bootsync.sh; its last step (Core-scripts'
        # usr/bin/tce-setup) is ldconfig, then each line of /tmp/setup.lst as root (the tce.installed scripts
        # of the extensions loaded at boot), then the list is removed.
        if [ -x /sbin/ldconfig ]; then
            /sbin/ldconfig 2>/dev/null
        fi
        if [ -s /tmp/setup.lst ]; then
            while read -r installed; do
                [ -n "$installed" ] && "$installed" </dev/null
            done </tmp/setup.lst
            rm -f /tmp/setup.lst
        fi

        section() {
            name=$1
            shift
            echo "B2IK-BEGIN $name"
            "$@" >/tmp/b2ik-section 2>&1
            rc=$?
            cat /tmp/b2ik-section
            if [ -s /tmp/b2ik-section ] && [ -n "$(tail -c 1 /tmp/b2ik-section)" ]; then
                echo
            fi
            echo "B2IK-END $name rc=$rc"
        }

        section motd cat /etc/motd
        section os-release cat /etc/os-release
        section docker-version docker --version
        section uname uname -r
        section glibc /lib/ld-linux-x86-64.so.2 /lib/libc.so.6
        for script in /etc/b2ik/test.d/*; do
            if [ -f "$script" ] && [ -x "$script" ]; then
                section "${script##*/}" "$script"
            fi
        done
        echo B2IK-DONE
        rm -f /tmp/b2ik-section
        if [ ! -x /usr/local/bin/dockerd ]; then
            sync
            poweroff -f
            echo o >/proc/sysrq-trigger
            sleep 5
        fi
        # An engine is pinned: boot on like boot2docker (busybox init runs the boot script, then keeps reaping).
        exec /bin/busybox init
        """;
}
