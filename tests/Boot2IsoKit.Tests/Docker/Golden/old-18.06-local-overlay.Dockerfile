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

# Rebuild the initrd (newc cpio, legacy lzma) and the ISO (/boot2docker.iso, label b2d-v18.06.3-ce).
RUN /tmp/make_iso.sh

# Without a TTY the container prints the ISO: `docker run --rm IMAGE > boot2docker.iso`.
# Restated from the base image so the contract holds even if a base changes its CMD.
CMD ["sh", "-c", "[ -t 1 ] && exec bash || exec cat /boot2docker.iso"]
