# shellcheck shell=bash
# The user module's shell functions (subshells: what they set stays their own).
# lbprov_user_read NAME SHADOW HOME: the account as tab-separated lines: `passwd LINE` (none: no
# such user), `shadow HASH` (SHADOW=1; empty when unreadable), `home 1|0` (the home dir, HOME or
# the passwd one, exists), `parent 1|0` (HOME's parent dir exists)
lbprov_user_read() (
  name=$1 shadow=$2 home=$3
  if line=$(getent passwd -- "$name"); then
    printf 'passwd\t%s\n' "$line"
    [ -n "$home" ] || home=$(printf '%s\n' "$line" | cut -d: -f6)
    if [ "$shadow" = 1 ]; then printf 'shadow\t%s\n' "$(getent shadow -- "$name" 2>/dev/null | cut -d: -f2)"; fi
  fi
  if [ -n "$home" ]; then
    if [ -d "$home" ]; then printf 'home\t1\n'; else printf 'home\t0\n'; fi
    if [ -d "$(dirname -- "$home")" ]; then printf 'parent\t1\n'; else printf 'parent\t0\n'; fi
  fi
)
# lbprov_user_password NAME HASH: sets the crypt hash through chpasswd's stdin (printf is a
# builtin), so the hash is in no process's argv or environment
lbprov_user_password() (
  printf '%s:%s\n' "$1" "$2" | chpasswd -e
)
# lbprov_user_home NAME HOME: creates a missing home as Ansible does (the skeleton copied, the
# mode from login.defs' HOME_MODE or UMASK, owned by the user and its primary group)
lbprov_user_home() (
  name=$1 home=$2
  mode=$(awk '$1 == "HOME_MODE" { print $2; exit }' /etc/login.defs 2>/dev/null)
  if [ -z "$mode" ]; then
    umask=$(awk '$1 == "UMASK" { print $2; exit }' /etc/login.defs 2>/dev/null)
    mode=$(printf '%o' $(( 0777 & ~${umask:-022} )))
  fi
  mkdir -p -- "$home" || exit
  if [ -d /etc/skel ]; then cp -a /etc/skel/. "$home"/ || exit; fi
  chmod -- "$mode" "$home" && chown -R -- "$name": "$home"
)
