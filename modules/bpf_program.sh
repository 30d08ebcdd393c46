# shellcheck shell=bash
# The bpf_program module's shell functions (see prelude.sh for the primitives they use).
# lbprov_bpf_pin OBJ PIN TYPE MAPS_DIR KEEP: pin a compiled BPF object at PIN (its maps under
# MAPS_DIR). With KEEP=1 the program pinned before stays pinned at PIN_prev (maps at MAPS_DIR_prev)
# for rollback: bpffs refuses dots in names (PIN.prev is EPERM), and the old objects are pinned a
# second time rather than moved, so PIN is never missing while the old program exists. If
# the load fails (the verifier's message goes to stderr), the previous pin is put back.
lbprov_bpf_pin() {
  local obj=$1 pin=$2 type=$3 maps=$4 keep=$5 m args
  mkdir -p -- "$(dirname -- "$pin")" || return 1
  if [ -e "$pin" ] && [ "$keep" = 1 ]; then
    rm -f -- "${pin}_prev"
    bpftool prog pin pinned "$pin" "${pin}_prev" || return 1
    if [ -n "$maps" ] && [ -d "$maps" ]; then
      rm -rf -- "${maps}_prev"; mkdir -p -- "${maps}_prev"
      for m in "$maps"/*; do [ -e "$m" ] && { bpftool map pin pinned "$m" "${maps}_prev/${m##*/}" || return 1; }; done
    fi
  fi
  rm -f -- "$pin"
  [ -z "$maps" ] || rm -rf -- "$maps"
  args=(prog load "$obj" "$pin")
  [ -z "$type" ] || args+=(type "$type")
  [ -z "$maps" ] || args+=(pinmaps "$maps")
  if ! bpftool "${args[@]}"; then
    rm -f -- "$pin"
    [ -z "$maps" ] || rm -rf -- "$maps"
    if [ "$keep" = 1 ] && [ -e "${pin}_prev" ]; then
      bpftool prog pin pinned "${pin}_prev" "$pin"
      if [ -n "$maps" ] && [ -d "${maps}_prev" ]; then
        mkdir -p -- "$maps"
        for m in "${maps}_prev"/*; do [ -e "$m" ] && bpftool map pin pinned "$m" "$maps/${m##*/}"; done
      fi
    fi
    return 1
  fi
}
# lbprov_bpf_verify PIN TYPE: print the pinned program's JSON; fail unless its type is TYPE.
lbprov_bpf_verify() {
  local j
  j=$(bpftool -j prog show pinned "$1") || return 1
  printf '%s\n' "$j"
  case "$j" in *"\"type\":\"$2\""*) ;; *) echo "pinned program at $1 is not of type $2" >&2; return 1 ;; esac
}
