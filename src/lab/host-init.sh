#!/bin/bash
# PID 1 of one lab host, started by `lbprov lab up` inside fresh pid/mount/uts/net/ipc namespaces
# (the recipe of shared/docs/lab.md). Usage: host-init.sh HOST_DIR NAME ADDRESS/PREFIX GATEWAY MODE
# MODE is "full" (systemd as init) or "light" (sshd only). HOST_DIR holds what the controller made:
# the host's ssh host key (ssh_host_ed25519_key[.pub]) and authorized_keys. It must not lie under a
# tree this script replaces (/tmp, /run); under an overlaid tree it stays readable through the lower dir.
set -eu
h=$1 name=$2 addr=$3 gw=$4 mode=$5
mount --make-rprivate /
# /srv last: the upper and work dirs of the others live under it and must not sit on an overlay
for d in etc var opt usr home srv; do
  mkdir -p "$h/$d/u" "$h/$d/w"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$h/$d/u,workdir=$h/$d/w" "/$d"
done
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
# root gets a clean home, not an overlay of the machine's /root: its .bashrc (pyenv init) and a stale
# pyenv rehash lock there made every login on a lab host wait.
mount -t tmpfs -o mode=0700 tmpfs /root
mount -t bpf bpf /sys/fs/bpf
# /sys shows the network namespace that mounted it: give the host its own view of its interfaces
# (a fresh sysfs would hide the cgroup mounts systemd needs, so only the net parts are bound over).
mkdir -p /run/lbprov-sysfs
mount -t sysfs sysfs /run/lbprov-sysfs
mount --bind /run/lbprov-sysfs/class/net /sys/class/net
mount --bind /run/lbprov-sysfs/devices/virtual/net /sys/devices/virtual/net
hostname "$name"
echo "$name" > /etc/hostname
rm -f /etc/ssh/ssh_host_*
install -m 600 "$h/ssh_host_ed25519_key" /etc/ssh/ssh_host_ed25519_key
install -m 644 "$h/ssh_host_ed25519_key.pub" /etc/ssh/ssh_host_ed25519_key.pub
mkdir -p /root/.ssh /run/sshd
chmod 700 /root/.ssh
install -m 600 "$h/authorized_keys" /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys
# sshd listens on the lab address only; the machine's own sshd config stays untouched.
mkdir -p /etc/ssh/sshd_config.d
printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nListenAddress %s\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\nMaxSessions 64\nMaxStartups 200\n' "${addr%/*}" > /etc/ssh/sshd_config.d/lbprov-lab.conf
for _ in $(seq 1 200); do ip link show eth1 >/dev/null 2>&1 && break; sleep 0.05; done
ip link set lo up
ip addr add "$addr" dev eth1
ip link set eth1 up
ip route add default via "$gw" dev eth1 2>/dev/null || true
# Only sshd matters on a lab host: services the machine happens to enable (databases, exporters) stay off.
if [ "$mode" = full ]; then
  find /etc/systemd/system -path '*.wants/*' ! -name ssh.service ! -name 'systemd-*' -type l -delete 2>/dev/null || true
  mkdir -p /etc/systemd/system/multi-user.target.wants
  ln -sf /lib/systemd/system/ssh.service /etc/systemd/system/multi-user.target.wants/ssh.service
  ln -sf /dev/null /etc/systemd/system/getty@tty1.service
  ln -sf /dev/null /etc/systemd/system/openipmi.service
  ln -sf /dev/null /etc/systemd/system/console-getty.service
fi
if [ "$mode" = full ]; then
  export container=lbprov-lab
  exec /lib/systemd/systemd --system --log-target=null
else
  exec /usr/sbin/sshd -D -e
fi
