# Boot2IsoKit recipe "ipvs": boot2docker 18.06.1-ce (old image layout), rendered by DockerfileRenderer.
# The base image already holds a built ISO. Like boot2docker's own experimental and test ISOs, this
# image changes the rootfs the ISO is made from (/rootfs) and runs the image's ISO script again.
# By hand: docker build -t b2ik-iso . && docker run --rm --network none b2ik-iso > boot2docker.iso
FROM boot2docker/boot2docker:18.06.1-ce

# Docker engine 18.06.3-ce, from the build context (the build needs no network).
COPY engine/docker-18.06.3-ce.tgz /tmp/dockerbin.tgz

# Since 1.11 the tgz holds docker/<binaries>: drop that directory (--strip-components=1).
# The engine is never run at build time (a downloaded binary); only check that it landed.
RUN tar -xzf /tmp/dockerbin.tgz -C "$ROOTFS/usr/local/bin" --strip-components=1 \
 && rm /tmp/dockerbin.tgz \
 && test -x "$ROOTFS/usr/local/bin/docker"

# Files the recipe adds: overlays and injected binaries with the libraries they load (computed on
# the host; nothing is installed in this build). Modes, symlinks and mtimes come with the files.
COPY rootfs-overlay/ /rootfs/

# Version 18.06.3-ce: make_iso.sh derives the volume label and regenerates os-release
# from $ROOTFS/etc/version; the ISO root carries a copy in /version.
RUN printf '%s\n' '18.06.3-ce' > "$ROOTFS/etc/version" \
 && cp "$ROOTFS/etc/version" /tmp/iso/version

# Rebuild the initrd (newc cpio, legacy lzma) and the ISO (/boot2docker.iso) with the image's script,
# run as a copy that starts with reproducible.sh: with SOURCE_DATE_EPOCH=1593388800 (the plan's date)
# the same plan gives the same ISO on any machine and at any time (sorted file list, clamped mtimes,
# renumbered inodes; needs cpio >= 2.12 and xorriso >= 1.4.6 in the image: older ones build, not reproducibly).
# The script's own label is the plan's: b2d-v18.06.3-ce.
COPY reproducible.sh /tmp/b2ik-reproducible.sh
RUN { head -n 1 /tmp/make_iso.sh && cat /tmp/b2ik-reproducible.sh && tail -n +2 /tmp/make_iso.sh; } > /tmp/b2ik-make-iso.sh \
 && chmod 0755 /tmp/b2ik-make-iso.sh \
 && SOURCE_DATE_EPOCH=1593388800 /tmp/b2ik-make-iso.sh \
 && rm /tmp/b2ik-make-iso.sh /tmp/b2ik-reproducible.sh

# Without a TTY the container prints the ISO: `docker run --rm IMAGE > boot2docker.iso`.
# Restated from the base image so the contract holds even if a base changes its CMD.
CMD ["sh", "-c", "[ -t 1 ] && exec bash || exec cat /boot2docker.iso"]
