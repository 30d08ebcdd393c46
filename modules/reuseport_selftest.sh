# shellcheck shell=bash
# The reuseport_selftest module's shell function.
# lbprov_selftest BIN HASHFILE HASH DIR PIN OBJECT SOCKETS CONNECTIONS [WEIGHTS]: run the reuseport self-test
# helper (bpf/lb_selftest.c) if it is built from the current source, else print NOT_BUILT. With a PIN
# and no OBJECT, the object is the one bpf_program pinned there (its marker in DIR), so the test loads
# its own instance and never touches the production maps. Prints the helper's JSON, then the tag of
# the pinned program (empty without a PIN).
lbprov_selftest() {
  local bin=$1 hashfile=$2 hash=$3 dir=$4 pin=$5 obj=$6 k=$7 m=$8 w=${9:-} ptag='' j f p out rc
  if [ ! -x "$bin" ] || [ "$(cat -- "$hashfile" 2>/dev/null)" != "$hash" ]; then echo NOT_BUILT; return 0; fi
  if [ -n "$pin" ]; then
    j=$(bpftool -j prog show pinned "$pin") || { echo "nothing is pinned at $pin" >&2; return 1; }
    ptag=$(printf '%s' "$j" | sed -n 's/.*"tag":"\([0-9a-f]*\)".*/\1/p')
    if [ -z "$obj" ]; then
      for f in "$dir"/*.pinned; do
        [ -e "$f" ] || continue
        read -r _ p < "$f"
        [ "$p" != "$pin" ] || obj=${f%.pinned}.o
      done
    fi
  fi
  if [ -n "$obj" ]; then out=$("$bin" --object "$obj" --sockets "$k" --connections "$m" ${w:+--weights "$w"}); rc=$?
  else out=$("$bin" --pin "$pin" --sockets "$k" --connections "$m" ${w:+--weights "$w"}); rc=$?; fi
  printf '%s\n%s\n' "$out" "$ptag"
  return $rc
}
