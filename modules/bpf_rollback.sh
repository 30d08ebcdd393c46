# shellcheck shell=bash
# The bpf_rollback module's shell function (a subshell: what it sets and its exit stay its own).
# lbprov_bpf_rollback PIN MAPS DIR FROM_TAG TO_TAG: swaps PIN and PIN_prev (see bpf_rollback.ts)
lbprov_bpf_rollback() (
  set -e
  pin=$1 maps=$2 dir=$3 from=$4 to=$5
  rm -f -- "${pin}_swap" "${pin}_new"
  bpftool prog pin pinned "$pin" "${pin}_swap"
  bpftool prog pin pinned "${pin}_prev" "${pin}_new"
  mv -f -- "${pin}_new" "$pin"
  mv -f -- "${pin}_swap" "${pin}_prev"
  if [ -n "$maps" ] && [ -d "${maps}_prev" ]; then
    rm -rf -- "${maps}_swap"
    [ ! -d "$maps" ] || mv -- "$maps" "${maps}_swap"
    mv -- "${maps}_prev" "$maps"
    [ ! -d "${maps}_swap" ] || mv -- "${maps}_swap" "${maps}_prev"
  fi
  mkdir -p -- "$dir"
  for f in "$dir"/*.pinned; do
    [ -e "$f" ] || continue
    read -r _ p < "$f" || true
    [ "$p" != "$pin" ] || printf 'rolled-back %s\n' "$pin" > "$f"
  done
  printf '%s %s\n' "$from" "$to" > "$dir/rollback.state"
)
