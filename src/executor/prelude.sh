# The fixed head of every script lbprov sends to a host (see remote-script.ts). No user value
# appears in this text: reads and steps call these functions with shq()-quoted arguments.
set -u
export LC_ALL=C
T=$(mktemp -d) || exit 97
trap 'rm -rf "$T"' EXIT
b64() { base64 -w0 < "$1"; printf ' '; }
report() { printf '@@ %s %s ' "$1" "$2"; b64 "$T/o"; b64 "$T/e"; printf '\n'; }
lbprov_read() { n=$1; shift; "$@" > "$T/o" 2> "$T/e" < /dev/null; report "$n" $?; }
lbprov_step() { n=$1 must=$2; shift 2; "$@" > "$T/o" 2> "$T/e" < /dev/null; rc=$?; report "$n" $rc; [ $rc -eq 0 ] || [ "$must" = 0 ] || exit 0; }
lbprov_stat() { if [ -e "$1" ] || [ -L "$1" ]; then stat -c '%F|%a|%U|%G|%s' -- "$1" && { [ ! -L "$1" ] || readlink -- "$1"; }; else echo absent; fi; }
lbprov_file() { lbprov_stat "$1" || return; if [ -f "$1" ]; then cat -- "$1"; fi; }
lbprov_put() {
  dest=$1 mode=$2 owner=$3 group=$4 writer=$5 backup=$6; shift 6
  t=$(mktemp -- "$(dirname -- "$dest")/.lbprov.XXXXXX") || return 1
  fail() { rm -f -- "$t"; echo "$1" >&2; return 1; }
  "$writer" "$t" || { fail "cannot write $dest"; return 1; }
  if [ -n "$mode" ]; then chmod -- "$mode" "$t" || { fail "chmod $mode failed"; return 1; }
  elif [ -e "$dest" ]; then chmod --reference="$dest" -- "$t"; else chmod 0644 -- "$t"; fi
  if [ -n "$owner$group" ]; then chown -- "$owner:$group" "$t" || { fail "chown $owner:$group failed"; return 1; }
  elif [ -e "$dest" ]; then chown --reference="$dest" -- "$t"; fi
  if [ $# -gt 0 ]; then
    args=(); for a in "$@"; do args+=("${a//%s/$t}"); done
    "${args[@]}" >&2 || { fail "validation failed: $*"; return 1; }
  fi
  if [ "$backup" = 1 ] && [ -f "$dest" ]; then cp -p -- "$dest" "$dest.$(date +%Y%m%d%H%M%S)~" || { fail "backup failed"; return 1; }; fi
  mv -f -- "$t" "$dest" || { fail "cannot rename into $dest"; return 1; }
}
