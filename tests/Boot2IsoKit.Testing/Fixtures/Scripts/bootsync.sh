#!/bin/sh
# Fixture boot, new layout: the services boot2docker 19.03's files/bootsync.sh starts, in its order and
# under its script names (Tiny Core's tc-config runs it; here busybox init's sysinit does).
export PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
exec >>/var/log/boot2docker.log 2>&1
. /etc/b2ik/hardware.sh
/etc/init.d/autoformat start
mkdir -p /var/lib/boot2docker
chown docker:docker /var/lib/boot2docker
mkdir -p /var/lib/boot2docker/etc
if [ -s /var/lib/boot2docker/etc/hostname ]; then
    hostname "$(cat /var/lib/boot2docker/etc/hostname)"
fi
cgroupfs-mount
mkdir -p /var/lib/boot2docker/log
chown docker /var/lib/boot2docker/log
# Certificates as upstream installs them: each /var/lib/boot2docker/certs/*.pem|*.crt linked under
# /usr/local/share/ca-certificates/boot2docker/ (as NAME.crt), then the ca-certificates extension's script.
for f in /var/lib/boot2docker/certs/*.pem /var/lib/boot2docker/certs/*.crt; do
    [ -e "$f" ] || continue
    targetFile="/usr/local/share/ca-certificates/boot2docker/$(basename "$f")"
    if [ "$targetFile" = "${targetFile%.crt}" ]; then
        targetFile="$targetFile.crt"
    fi
    mkdir -p "$(dirname "$targetFile")"
    ln -sfT "$f" "$targetFile"
done
if [ -d /usr/local/share/ca-certificates/boot2docker ]; then
    /usr/local/tce.installed/ca-certificates
fi
if [ -f /var/lib/boot2docker/profile ]; then
    . /var/lib/boot2docker/profile
fi
/usr/local/etc/init.d/dropbear start
if [ -e /var/lib/boot2docker/bootsync.sh ]; then
    sh /var/lib/boot2docker/bootsync.sh
fi
# "env -i" as upstream (moby/moby#39009): the daemon does not inherit this script's environment.
env -i PATH="$PATH" /etc/init.d/docker start
if [ -e /var/lib/boot2docker/bootlocal.sh ]; then
    sh /var/lib/boot2docker/bootlocal.sh > /var/log/bootlocal.log 2>&1 &
fi
echo B2IK-BOOTSYNC-DONE > /dev/console
