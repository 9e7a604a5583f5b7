# Sourced by the fixture's boot script: what Tiny Core's init and udev do before boot2docker's scripts
# run: pseudo file systems, the drivers a QEMU or VirtualBox VM needs, loopback and DHCP on eth0.
mkdir -p /dev/pts /dev/shm /run /var/run
mountpoint -q /dev/pts || mount -t devpts devpts /dev/pts
mountpoint -q /dev/shm || mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# virtio_pci is no symbol dependency of virtio_net (modprobe cannot find it alone): load the chain in order.
for module in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net \
    ata_piix sd_mod sr_mod cdrom isofs overlay bridge br_netfilter veth ip_tables iptable_filter iptable_nat \
    xt_conntrack xt_MASQUERADE xt_addrtype nf_nat; do
    modprobe "$module" || echo "fixture: modprobe $module failed"
done
ip link set lo up
for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ -e /sys/class/net/eth0 ] && break
    sleep 1
done
ip link set eth0 up
udhcpc -b -i eth0 -s /usr/share/udhcpc/default.script -t 20 -T 1
