namespace Boot2IsoKit.Testing.Docker;

/// <summary>
/// Short, faithful versions of boot2docker's ISO scripts (rootfs/make_iso.sh, files/make-b2d-iso.sh): the same
/// inputs (/rootfs, /tmp/iso, $ROOTFS/etc/version or $DOCKER_VERSION), the same initrd format (newc
/// cpio, legacy lzma) and the same xorriso flags and label, minus the stats and TCL specifics. One
/// deviation: no <c>--extreme</c>, which costs minutes on a small CI machine and does not change the format.
/// </summary>
internal static class StandInScripts
{
    /// <summary>v18.09.1+ files/make-b2d-iso.sh: runs from WORKDIR /rootfs, label b2d-v$DOCKER_VERSION.</summary>
    public const string MakeB2dIso = """
        #!/usr/bin/env bash
        set -Eeuo pipefail
        # Boot2IsoKit stand-in for boot2docker's files/make-b2d-iso.sh (run from /rootfs).

        find -not -name '*.tcz' \
        	| cpio --create --format newc --quiet \
        	| xz -9 --format=lzma --threads=0 \
        	> /tmp/iso/boot/initrd.img

        # volume label (https://github.com/boot2docker/boot2docker/issues/1347)
        volumeLabel="b2d-v$DOCKER_VERSION"

        xorriso \
        	-as mkisofs -o /tmp/boot2docker.iso \
        	-A 'Boot2Docker' \
        	-V "$volumeLabel" \
        	-isohybrid-mbr /tmp/isohdpfx.bin \
        	-b isolinux/isolinux.bin \
        	-c isolinux/boot.cat \
        	-no-emul-boot \
        	-boot-load-size 4 \
        	-boot-info-table \
        	/tmp/iso

        """;

    /// <summary>v1.12.2–v18.06 rootfs/make_iso.sh: os-release from the version files, initrd, ISO at /boot2docker.iso.</summary>
    public const string MakeIso = """
        #!/bin/sh
        set -e
        # Boot2IsoKit stand-in for boot2docker's rootfs/make_iso.sh (legacy layout).

        # os-release is regenerated on every run from the version files.
        b2dVersion="$(cat "$ROOTFS/etc/version")"
        b2dDetail="$(cat "$ROOTFS/etc/boot2docker" 2>/dev/null || true)"
        tclVersion="$(cat "$ROOTFS/usr/share/doc/tc/release.txt" 2>/dev/null || echo 8.2.1)"
        cat > "$ROOTFS/etc/os-release" <<EOOS
        NAME=Boot2Docker
        VERSION=$b2dVersion
        ID=boot2docker
        ID_LIKE=tcl
        VERSION_ID=$b2dVersion
        PRETTY_NAME="Boot2Docker $b2dVersion (TCL $tclVersion); $b2dDetail"
        ANSI_COLOR="1;34"
        EOOS

        # Pack the rootfs
        cd "$ROOTFS"
        find | ( set -x; cpio -o -H newc --quiet | xz -9 --format=lzma --threads=0 ) > /tmp/iso/boot/initrd.img
        cd -

        # Make the ISO
        # Note: only "-isohybrid-mbr /..." is specific to xorriso.
        xorriso \
            -publisher "Docker Inc." \
            -as mkisofs \
            -l -J -R -V "b2d-v$(cat $ROOTFS/etc/version)" \
            -no-emul-boot -boot-load-size 4 -boot-info-table \
            -b boot/isolinux/isolinux.bin -c boot/isolinux/boot.cat \
            -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
            -o /boot2docker.iso /tmp/iso

        """;
}
