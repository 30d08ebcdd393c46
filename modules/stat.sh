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
  # a regular file's checksum, as Ansible's: not a link's that is not followed
  if [ -n "$algo" ] && [ -f "$p" ] && [ -r "$p" ] && { [ "$follow" = 1 ] || [ ! -L "$p" ]; }; then
    sum=$("${algo}sum" -- "$p" 2>/dev/null) && echo "checksum=${sum%% *}"
  fi
  if [ "$mime" = 1 ] && command -v file >/dev/null 2>&1; then
    echo "mimetype=$(file -b --mime-type -- "$p" 2>/dev/null)"
    echo "charset=$(file -b --mime-encoding -- "$p" 2>/dev/null)"
  fi
  # a link's own fields, as Ansible's: only when it is not followed
  if [ "$follow" != 1 ] && [ -L "$p" ]; then
    printf 'lnk_target='; b64 "$(readlink -- "$p")"
    printf 'lnk_source='; b64 "$(readlink -f -- "$p")"
  fi
)
# lbprov_stat_known OWNER GROUP KIND B64 AOWNER AGROUP: for check mode, about what an earlier task of
# the check run would have left at a path (modules/stat-check.ts): the uid and name of OWNER and the gid
# and name of GROUP (names or numbers; names base64), the ids of AOWNER and AGROUP (the owner of where
# a link leads, which access(2) asks about), the connecting user's uid and groups, and, KIND being file,
# directory or link (B64: a file's content), what file(1) says of such an object (KIND "": nothing).
lbprov_stat_known() (
  owner=$1 group=$2 kind=$3 body=$4
  b64() { printf '%s' "$1" | base64 -w0; echo; }
  IFS=: read -r pn _ pu _ < <(getent passwd -- "$owner")
  IFS=: read -r gn _ gg _ < <(getent group -- "$group")
  echo "uid=${pu:-$owner}"; printf 'pw_name='; b64 "${pn:-UNKNOWN}"
  echo "gid=${gg:-$group}"; printf 'gr_name='; b64 "${gn:-UNKNOWN}"
  IFS=: read -r _ _ pu _ < <(getent passwd -- "$5")
  IFS=: read -r _ _ gg _ < <(getent group -- "$6")
  echo "auid=${pu:-$5}"; echo "agid=${gg:-$6}"
  echo "me=$(id -u)"; echo "groups=$(id -G)"
  if [ -n "$kind" ] && command -v file >/dev/null 2>&1; then
    w=$(mktemp -d) || exit 1
    trap 'rm -rf -- "$w"' EXIT
    case $kind in
      file) printf '%s' "$body" | base64 -d > "$w/f" ;;
      directory) mkdir -- "$w/f" ;;
      link) ln -s -- . "$w/f" ;;
    esac
    echo "mimetype=$(file -b --mime-type -- "$w/f" 2>/dev/null)"
    echo "charset=$(file -b --mime-encoding -- "$w/f" 2>/dev/null)"
  fi
)
