# The fixed head of every script lbprov sends to a host (see remote-script.ts). No user value
# appears in this text: reads and steps call these functions with shq()-quoted arguments.
set -u
export LC_ALL=C
# Outputs go to files in $T; one `stat` and one `cat` at the end answer for every read or step:
# `@@ANSWER n|rc0 rc1 ..|out0 err0 out1 err1 ..` then those bytes. The remote shell provides $T
# (LBPROV_TMP) once for the whole run; run alone, the script makes and removes its own.
if [ -n "${LBPROV_TMP:-}" ]; then T=$LBPROV_TMP; else T=$(mktemp -d) || exit 97; trap 'rm -rf "$T"' EXIT; fi
N=0 RCS=
# (lbprov_read/step/answer keep their own variables local and _-prefixed: the command a read or step
# runs, often one of the functions below, must not change them; N and RCS are the answer's state)
lbprov_read() { local _n=$1; shift; N=$((_n + 1)); "$@" > "$T/o$_n" 2> "$T/e$_n" < /dev/null; RCS="$RCS $?"; }
lbprov_step() {
  local _n=$1 _must=$2 _rc; shift 2
  N=$((_n + 1))
  "$@" > "$T/o$_n" 2> "$T/e$_n" < /dev/null; _rc=$?
  RCS="$RCS $_rc"
  if [ $_rc -ne 0 ] && [ "$_must" = 1 ]; then lbprov_answer; exit 0; fi
}
lbprov_answer() {
  local files=() sizes=() _i
  for ((_i = 0; _i < N; _i++)); do files+=("$T/o$_i" "$T/e$_i"); done
  [ $N -eq 0 ] || mapfile -t sizes < <(stat -c %s -- "${files[@]}")
  printf '@@ANSWER %s|%s|%s\n' "$N" "${RCS# }" "${sizes[*]}"
  [ $N -eq 0 ] || cat -- "${files[@]}"
}
lbprov_stat() { if [ -e "$1" ] || [ -L "$1" ]; then stat -c '%F|%a|%U|%G|%s' -- "$1" && { [ ! -L "$1" ] || readlink -- "$1"; }; else echo absent; fi; }
lbprov_file() { lbprov_stat "$1" || return; if [ -f "$1" ]; then cat -- "$1"; fi; }
lbprov_put() {
  local dest=$1 mode=$2 owner=$3 group=$4 writer=$5 backup=$6 t a args who; shift 6
  # the temp file keeps the destination's name as suffix: validators such as systemd-analyze verify
  # judge a file by its name (.service, .timer)
  t=$(mktemp --suffix=".${dest##*/}" -- "${dest%/*}/.lbprov.XXXXXX") || return 1
  # registered: if this script is killed (a task timeout), the remote shell's janitor removes it
  lbprov_junk "$t"
  fail() { rm -f -- "$t"; echo "$1" >&2; return 1; }
  "$writer" "$t" || { fail "cannot write $dest"; return 1; }
  # owner before mode: chown clears setuid/setgid bits, so a mode set first would be lost
  who=$owner${group:+:$group}
  if [ -n "$who" ]; then chown -- "$who" "$t" || { fail "chown $who failed"; return 1; }
  elif [ -e "$dest" ]; then chown --reference="$dest" -- "$t"; fi
  if [ -n "$mode" ]; then chmod -- "$mode" "$t" || { fail "chmod $mode failed"; return 1; }
  elif [ -e "$dest" ]; then chmod --reference="$dest" -- "$t"; else chmod 0644 -- "$t"; fi
  if [ $# -gt 0 ]; then
    args=(); for a in "$@"; do args+=("${a//%s/$t}"); done
    "${args[@]}" >&2 || { fail "validation failed: $*"; return 1; }
  fi
  if [ "$backup" = 1 ] && [ -f "$dest" ]; then cp -p -- "$dest" "$dest.$(date +%Y%m%d%H%M%S)~" || { fail "backup failed"; return 1; }; fi
  mv -f -- "$t" "$dest" || { fail "cannot rename into $dest"; return 1; }
}
# lbprov_junk PATH: a temp file beside a destination, for the remote shell to remove should the
# script be killed before it is renamed into place (see remote-shell.ts)
lbprov_junk() { [ -z "${LBPROV_JUNK:-}" ] || printf '%s\n' "$1" >> "$LBPROV_JUNK"; }
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
# lbprov_compile OUT HASHFILE HASH clang-args...: compile to OUT.tmp, then rename into place and
# record the source+flags hash beside it, so a failed compile leaves the old object and hash.
lbprov_compile() {
  local out=$1 hashfile=$2 hash=$3; shift 3
  lbprov_junk "$out.tmp"; lbprov_junk "$hashfile.tmp"
  "$@" -o "$out.tmp" || { rm -f -- "$out.tmp"; return 1; }
  mv -f -- "$out.tmp" "$out" && printf '%s\n' "$hash" > "$hashfile.tmp" && mv -f -- "$hashfile.tmp" "$hashfile"
}
# lbprov_bpf_verify PIN TYPE: print the pinned program's JSON; fail unless its type is TYPE.
lbprov_bpf_verify() {
  j=$(bpftool -j prog show pinned "$1") || return 1
  printf '%s\n' "$j"
  case "$j" in *"\"type\":\"$2\""*) ;; *) echo "pinned program at $1 is not of type $2" >&2; return 1 ;; esac
}
# lbprov_selftest BIN HASHFILE HASH DIR PIN OBJECT SOCKETS CONNECTIONS: run the reuseport self-test
# helper (bpf/lb_selftest.c) if it is built from the current source, else print NOT_BUILT. With a PIN
# and no OBJECT, the object is the one bpf_program pinned there (its marker in DIR), so the test loads
# its own instance and never touches the production maps. Prints the helper's JSON, then the tag of
# the pinned program (empty without a PIN).
lbprov_selftest() {
  local bin=$1 hashfile=$2 hash=$3 dir=$4 pin=$5 obj=$6 k=$7 m=$8 ptag= j f p out rc
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
  if [ -n "$obj" ]; then out=$("$bin" --object "$obj" --sockets "$k" --connections "$m"); rc=$?
  else out=$("$bin" --pin "$pin" --sockets "$k" --connections "$m"); rc=$?; fi
  printf '%s\n%s\n' "$out" "$ptag"
  return $rc
}
