# Boot2IsoKit recipe "experimental": boot2docker 1.12.0 (old image layout), rendered by DockerfileRenderer.
# The base image already holds a built ISO. Like boot2docker's own experimental and test ISOs, this
# image changes the rootfs the ISO is made from (/rootfs) and runs the image's ISO script again.
# By hand: docker build -t b2ik-iso . && docker run --rm --network none b2ik-iso > boot2docker.iso
FROM boot2docker/boot2docker:1.12.0

# Docker engine 1.12.0-rc4, downloaded during the build. This needs network access in the build
# and curl in the base image (boot2docker's images have it; a stand-in must too).
# The checksum is pinned by the recipe: a changed or cut-off download fails the build.
# Since 1.11 the tgz holds docker/<binaries>: drop that directory (--strip-components=1).
# The engine is never run at build time (a downloaded binary); only check that it landed.
RUN curl -fsSL -o /tmp/dockerbin.tgz 'https://engines.example.invalid/builds/Linux/x86_64/docker-1.12.0-rc4.tgz' \
 && echo '1a9384f6c2b309d4978352e0791f7afdc175d00073399597622e2174de77a1f7  /tmp/dockerbin.tgz' | sha256sum -c - \
 && tar -xzf /tmp/dockerbin.tgz -C "$ROOTFS/usr/local/bin" --strip-components=1 \
 && rm /tmp/dockerbin.tgz \
 && test -x "$ROOTFS/usr/local/bin/docker"

# Files the recipe adds: overlays and injected binaries with the libraries they load (computed on
# the host; nothing is installed in this build). Modes, symlinks and mtimes come with the files.
COPY rootfs-overlay/ /rootfs/

# Banner appended to the base's motd, from a context file: its text needs no shell quoting.
COPY motd-banner /tmp/b2ik-motd-banner
RUN cat /tmp/b2ik-motd-banner >> "$ROOTFS/etc/motd" && rm /tmp/b2ik-motd-banner

# Version 1.12.0-rc4-experimental: make_iso.sh derives the volume label and regenerates os-release
# from $ROOTFS/etc/version; the ISO root carries a copy in /version.
RUN printf '%s\n' '1.12.0-rc4-experimental' > "$ROOTFS/etc/version" \
 && cp "$ROOTFS/etc/version" /tmp/iso/version

# Rebuild the initrd (newc cpio, legacy lzma) and the ISO (/boot2docker.iso) with the image's script,
# run as a copy that starts with reproducible.sh: with SOURCE_DATE_EPOCH=1593388800 (the plan's date)
# the same plan gives the same ISO on any machine and at any time (sorted file list, clamped mtimes,
# renumbered inodes; needs cpio >= 2.12 and xorriso >= 1.4.6 in the image: older ones build, not reproducibly).
# The script would label the ISO "Boot2Docker-v1.12.0-rc4-experimental"; the recipe wants "b2d-v1.12.0-rc4-experimental", so the copy's
# xorriso -V argument is replaced (iso-label.sed); grep fails the build if the script has no such argument.
COPY reproducible.sh /tmp/b2ik-reproducible.sh
COPY iso-label.sed /tmp/b2ik-iso-label.sed
RUN { head -n 1 /make_iso.sh && cat /tmp/b2ik-reproducible.sh && tail -n +2 /make_iso.sh | sed -E -f /tmp/b2ik-iso-label.sed; } > /tmp/b2ik-make-iso.sh \
 && grep -qF -- '-V "b2d-v1.12.0-rc4-experimental"' /tmp/b2ik-make-iso.sh \
 && chmod 0755 /tmp/b2ik-make-iso.sh \
 && SOURCE_DATE_EPOCH=1593388800 /tmp/b2ik-make-iso.sh \
 && rm /tmp/b2ik-make-iso.sh /tmp/b2ik-reproducible.sh /tmp/b2ik-iso-label.sed

# Without a TTY the container prints the ISO: `docker run --rm IMAGE > boot2docker.iso`.
# Restated from the base image so the contract holds even if a base changes its CMD.
CMD ["sh", "-c", "[ -t 1 ] && exec bash || exec cat /boot2docker.iso"]
