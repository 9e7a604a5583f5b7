# Boot2IsoKit recipe "legacy": boot2docker 1.10.3 (old image layout), rendered by DockerfileRenderer.
# The base image already holds a built ISO. Like boot2docker's own experimental and test ISOs, this
# image changes the rootfs the ISO is made from (/rootfs) and runs the image's ISO script again.
# By hand: docker build -t b2ik-iso . && docker run --rm --network none b2ik-iso > boot2docker.iso
FROM boot2docker/boot2docker:1.10.3

# Every file the build adds or replaces, computed on the host (nothing is installed or edited in this
# build): overlays, the engine, injected binaries with the libraries they load, os-release, motd and
# version files. Modes, symlinks and mtimes come with the files.
# make_iso.sh regenerates etc/os-release from etc/version, etc/boot2docker and Tiny Core's release.txt;
# the stamped etc/version makes it say the same version as the copied file.
COPY rootfs-overlay/ /tmp/b2ik-rootfs-delta/

# Merged into the rootfs with tar, not copied there: COPY would replace a symlink the base has where the
# delta has a directory (lib64 -> lib: every dynamically linked program would lose its loader) and give
# every directory on the way the context's mode and owner (think /tmp 1777). tar keeps both as in the base,
# as the native builder does (needs GNU tar >= 1.27 in the image: Debian jessie on).
RUN tar -C /tmp/b2ik-rootfs-delta -cf - . | tar -C "$ROOTFS" -xf - --numeric-owner --keep-directory-symlink --no-overwrite-dir \
 && rm -rf /tmp/b2ik-rootfs-delta

# Files of the ISO outside the initrd (/version): the script packs /tmp/iso as the ISO.
COPY iso-root/ /tmp/iso/

# Rebuild the initrd (newc cpio, legacy lzma) and the ISO (/boot2docker.iso) with the image's script,
# run as a copy that starts with reproducible.sh: with SOURCE_DATE_EPOCH=1593388800 (the plan's date)
# the same plan gives the same ISO on any machine and at any time (sorted file list, clamped mtimes,
# renumbered inodes; needs cpio >= 2.12 and xorriso >= 1.4.6 in the image: older ones build, not reproducibly).
# The script's own label is the plan's: Boot2Docker-v1.10.3.
COPY reproducible.sh /tmp/b2ik-reproducible.sh
RUN { head -n 1 /make_iso.sh && cat /tmp/b2ik-reproducible.sh && tail -n +2 /make_iso.sh; } > /tmp/b2ik-make-iso.sh \
 && chmod 0755 /tmp/b2ik-make-iso.sh \
 && SOURCE_DATE_EPOCH=1593388800 /tmp/b2ik-make-iso.sh \
 && rm /tmp/b2ik-make-iso.sh /tmp/b2ik-reproducible.sh

# Without a TTY the container prints the ISO: `docker run --rm IMAGE > boot2docker.iso`.
# Restated from the base image so the contract holds even if a base changes its CMD.
CMD ["sh", "-c", "[ -t 1 ] && exec bash || exec cat /boot2docker.iso"]
