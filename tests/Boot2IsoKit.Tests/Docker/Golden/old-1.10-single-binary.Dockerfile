# Boot2IsoKit recipe "legacy": boot2docker 1.10.3 (old image layout), rendered by DockerfileRenderer.
# The base image already holds a built ISO. Like boot2docker's own experimental and test ISOs, this
# image changes the rootfs the ISO is made from (/rootfs) and runs the image's ISO script again.
# By hand: docker build -t b2ik-iso . && docker run --rm --network none b2ik-iso > boot2docker.iso
FROM boot2docker/boot2docker:1.10.3

# Docker engine 1.10.3, downloaded during the build. This needs network access in the build
# and curl in the base image (boot2docker's images have it; a stand-in must too).
# The checksum is pinned by the recipe: a changed or cut-off download fails the build.
# Up to 1.10 the engine was a single binary: it is the docker command itself.
# The engine is never run at build time (a downloaded binary); only check that it landed.
RUN curl -fsSL -o /tmp/dockerbin 'https://engines.example.invalid/builds/Linux/x86_64/docker-1.10.3' \
 && echo '1bd135c8d1520aeed53c7e09a44d73444768fdeed706e181c6fb4ee724a4e472  /tmp/dockerbin' | sha256sum -c - \
 && mv /tmp/dockerbin "$ROOTFS/usr/local/bin/docker" \
 && chmod 0755 "$ROOTFS/usr/local/bin/docker" \
 && test -x "$ROOTFS/usr/local/bin/docker"

# Version 1.10.3: make_iso.sh derives the volume label and regenerates os-release
# from $ROOTFS/etc/version; the ISO root carries a copy in /version.
RUN printf '%s\n' '1.10.3' > "$ROOTFS/etc/version" \
 && cp "$ROOTFS/etc/version" /tmp/iso/version

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
