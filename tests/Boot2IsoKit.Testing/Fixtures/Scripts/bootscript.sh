#!/bin/sh
# Fixture boot, legacy layout (<= 18.06): the steps of boot2docker's /opt/bootscript.sh, in its order
# and under its script names (/etc/rc.d/automount, /etc/rc.d/dhcp.sh, ..., /etc/rc.d/docker).
export PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
exec >>/var/log/boot2docker.log 2>&1
. /etc/b2ik/hardware.sh
/etc/rc.d/automount start
/etc/rc.d/cgroupfs-mount
mkdir -p /var/lib/boot2docker/log
test -f /var/lib/boot2docker/profile && . /var/lib/boot2docker/profile
/etc/rc.d/sshd start
if [ -e /var/lib/boot2docker/bootsync.sh ]; then
    /bin/sh /var/lib/boot2docker/bootsync.sh
fi
/etc/rc.d/docker
if [ -e /var/lib/boot2docker/bootlocal.sh ]; then
    /bin/sh /var/lib/boot2docker/bootlocal.sh > /var/log/bootlocal.log 2>&1 &
fi
echo B2IK-BOOTSYNC-DONE > /dev/console
