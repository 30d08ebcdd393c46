#!/usr/bin/env bash
# Installs the Debian packages lbprov's lab, demo and tests need on this machine (root), and only
# those missing: the lab hosts see the machine's /usr through their overlays.
set -euo pipefail
pkgs=(openssh-server openssh-client iproute2 util-linux systemd sudo time clang llvm bpftool libbpf-dev
      prometheus-node-exporter wrk dpkg-dev
      shellcheck   # test/shellcheck.test.ts: every shell file lbprov ships or sends to hosts
      ansible-core)  # ansible-vault and ansible-playbook: the vault interop, facts, YAML and conformance tests compare against them (and PyYAML)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "system packages missing (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "system packages: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
