# shellcheck shell=bash
# The executor's own primitives: the fixed head of every script lbprov sends to a host (see
# prelude.ts and remote-script.ts). No user value appears in this text: reads and steps call these
# functions with shq()-quoted arguments. Modules' own functions live beside them (modules/*.sh) and
# go only to the hosts whose tasks use them.
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
# lbprov_stat PATH: `type|mode|owner|group|size` (+ a line with a link's target), `absent`, or
# `absent nodir` when the folder it would be in does not exist either (copy fails there, as Ansible's)
lbprov_stat() {
  if [ -e "$1" ] || [ -L "$1" ]; then stat -c '%F|%a|%U|%G|%s' -- "$1" && { [ ! -L "$1" ] || readlink -- "$1"; }; return; fi
  local p=${1%/} d
  d=${p%/*}
  case $p in */*) d=${d:-/} ;; *) d=. ;; esac
  if [ -d "$d" ]; then echo absent; else echo absent nodir; fi
}
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
