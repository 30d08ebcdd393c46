# shellcheck shell=bash
# The stat module's shell function (a subshell: what it sets and its exit stay its own).
# lbprov_stat_full PATH FOLLOW(0|1) CHECKSUM_ALGO("" for none) MIME(0|1): key=value lines, `exists=0` when missing.
# Names (lnk_*, pw_name, gr_name) are printed last, base64 encoded, so no name can forge a field.
lbprov_stat_full() (
  p=$1 follow=$2 algo=$3 mime=$4 L=()
  [ "$follow" = 1 ] && L=(-L)
  if ! stat "${L[@]}" -- "$p" >/dev/null 2>&1; then echo exists=0; exit 0; fi
  echo exists=1
  stat "${L[@]}" -c 'ftype=%F
mode=%a
uid=%u
gid=%g
size=%s
inode=%i
dev=%d
nlink=%h
blocks=%b
block_size=%B
devmajor=%t
devminor=%T
atime=%.9X
mtime=%.9Y
ctime=%.9Z' -- "$p"
  b64() { printf '%s' "$1" | base64 -w0; echo; }
  printf 'pw_name='; b64 "$(stat "${L[@]}" -c %U -- "$p")"
  printf 'gr_name='; b64 "$(stat "${L[@]}" -c %G -- "$p")"
  if [ -r "$p" ]; then echo readable=1; else echo readable=0; fi
  if [ -w "$p" ]; then echo writeable=1; else echo writeable=0; fi
  if [ -x "$p" ]; then echo executable=1; else echo executable=0; fi
  if [ -n "$algo" ] && [ -f "$p" ] && [ -r "$p" ]; then
    sum=$("${algo}sum" -- "$p" 2>/dev/null) && echo "checksum=${sum%% *}"
  fi
  if [ "$mime" = 1 ] && command -v file >/dev/null 2>&1; then
    echo "mimetype=$(file -b --mime-type -- "$p" 2>/dev/null)"
    echo "charset=$(file -b --mime-encoding -- "$p" 2>/dev/null)"
  fi
  if [ -L "$p" ]; then
    printf 'lnk_target='; b64 "$(readlink -- "$p")"
    printf 'lnk_source='; b64 "$(readlink -f -- "$p")"
  fi
)
