#!/usr/bin/env bash
# `npm run demo`: as root on a fresh machine, installs what the lab needs, boots a 3-host lab and
# rolls playbooks/edge.yml out to it, then prints the recap. The lab stays up for you to look at:
# `npx lbprov lab status`, `npx lbprov lab down`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "npm run demo needs root (it builds a lab of namespaced hosts). Without root, try:" >&2
  echo "  npx lbprov apply playbooks/edge.yml --check --diff" >&2
  exit 1
fi
bash scripts/system-deps.sh
[ -f dist/src/cli/main.js ] || npm run build
playbook=${1:-playbooks/edge.yml}
node bin/lbprov.js lab up --hosts "${LBPROV_DEMO_HOSTS:-3}"
# the lab's own state says where its inventory is (whatever LBPROV_LAB_SLOT chose)
inv=$(node --input-type=module -e 'const { readState } = await import("./dist/src/lab/lab.js"); console.log(readState().inventory)')
node bin/lbprov.js apply "$playbook" -i "$inv" --no-color
echo
echo "The lab is still up: npx lbprov lab status | npx lbprov lab down"
echo "Try: curl http://198.18.0.11:8080/   (the reference listener; lb_hash picks the worker)"
