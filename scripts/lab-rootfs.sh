#!/usr/bin/env bash
# Builds the lab nodes' root filesystem once (debootstrap, Debian bookworm, systemd +
# OpenSSH) and caches it outside the checkout. The mirror is the one apt already uses on
# this machine, so the lab reaches no registry the machine does not already use.
set -euo pipefail
cache="${LAB_CACHE:-/var/cache/k8s-master-setup/lab}"
rootfs="$cache/rootfs"
if [ -f "$rootfs/.complete" ]; then echo "lab rootfs: cached in $rootfs"; exit 0; fi
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "no Debian mirror found in apt's sources" >&2; exit 1; }
rm -rf "$rootfs.tmp"
mkdir -p "$cache"
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,openssh-server,iproute2,curl,ca-certificates,sudo,procps,iputils-ping,zstd \
  bookworm "$rootfs.tmp" "$mirror"
# Things every node needs regardless of its name or address.
chroot "$rootfs.tmp" systemctl enable ssh >/dev/null
chroot "$rootfs.tmp" systemctl mask systemd-resolved.service apt-daily.timer apt-daily-upgrade.timer \
  systemd-timesyncd.service getty@tty1.service console-getty.service >/dev/null 2>&1 || true
rm -f "$rootfs.tmp"/etc/ssh/ssh_host_*   # each node gets its own host keys at first boot
printf 'nameserver 127.0.0.1\n' > "$rootfs.tmp/etc/resolv.conf"
touch "$rootfs.tmp/.complete"
mv "$rootfs.tmp" "$rootfs"
echo "lab rootfs: built in $rootfs"
