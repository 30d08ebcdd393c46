# shellcheck shell=bash
# The unarchive module's shell functions. The archive is either the controller's file, sent as
# base64 in an argument (KIND b64), or a path on the host (KIND path). Paths are printed base64.

# lbprov_unarchive_open KIND SRC DIR: the archive's path on the host (a b64 archive is decoded into DIR/archive)
lbprov_unarchive_open() {
  if [ "$1" = b64 ]; then printf '%s' "$2" | base64 -d > "$3/archive" || return 1; printf '%s' "$3/archive"
  else
    if [ ! -e "$2" ]; then echo "Source '$2' does not exist" >&2; return 1; fi
    if [ ! -r "$2" ]; then echo "Source '$2' not readable" >&2; return 1; fi
    printf '%s' "$2"
  fi
}
# lbprov_unarchive_handler ARCHIVE: Ansible's handler name, from the archive's first bytes
lbprov_unarchive_handler() {
  local magic
  magic=$(head -c 6 -- "$1" | od -An -tx1 | tr -d ' \n')
  case $magic in
    504b0304* | 504b0506*) echo ZipArchive ;;
    1f8b*) echo TgzArchive ;;
    425a68*) echo TarBzipArchive ;;
    fd377a585a00) echo TarXzArchive ;;
    28b52ffd*) echo TarZstdArchive ;;
    *) echo TarArchive ;;
  esac
}
# lbprov_unarchive_extract ARCHIVE HANDLER SRC DIR: unpacks into DIR (tar detects the compression itself)
lbprov_unarchive_extract() {
  if [ "$2" = ZipArchive ]; then
    command -v unzip >/dev/null 2>&1 || { echo "Failed to find handler for \"$3\". Make sure the required command to extract the file is installed. Unable to find required 'unzip' binary in the path." >&2; return 1; }
    unzip -qq -o -- "$1" -d "$4" >&2
  else
    tar -xf "$1" -C "$4" >&2 || { echo "Failed to find handler for \"$3\". Make sure the required command to extract the file is installed." >&2; return 1; }
  fi
}
# lbprov_unarchive_probe KIND SRC DEST OWNER GROUP MODE CREATES [NEW]: `creates=1` when CREATES exists;
# else unpacks into a temp dir and compares with DEST: handler=NAME, then per entry `E b64path` and,
# when DEST differs, `D code b64path` (code: absent, type, content, mode, owner). Changes nothing in
# DEST. NEW=1 (check mode: an earlier task would make DEST): a missing DEST is an empty directory.
lbprov_unarchive_probe() (
  kind=$1 src=$2 dest=$3 owner=$4 group=$5 mode=$6 creates=$7 new=${8:-0}
  if [ -n "$creates" ] && { [ -e "$creates" ] || [ -L "$creates" ]; }; then echo creates=1; exit 0; fi
  w=$(mktemp -d) || exit 1
  trap 'rm -rf -- "$w"' EXIT
  if [ ! -d "$dest" ]; then
    if [ "$new" = 1 ]; then dest=$w/new && mkdir -- "$dest" || exit 1
    else echo "dest '$3' must be an existing dir" >&2; exit 3; fi
  fi
  a=$(lbprov_unarchive_open "$kind" "$src" "$w") || exit 4
  if [ ! -s "$a" ]; then echo "Invalid archive '$src', the file is 0 bytes" >&2; exit 4; fi
  h=$(lbprov_unarchive_handler "$a")
  echo "handler=$h"
  { mkdir -- "$w/x" && lbprov_unarchive_extract "$a" "$h" "$src" "$w/x"; } || exit 5
  cd -- "$w/x" || exit 1
  find . -mindepth 1 -print0 | sort -z | while IFS= read -r -d '' e; do
    rel=${e#./} t=$dest/${e#./}
    name=$rel; [ -d "$e" ] && [ ! -L "$e" ] && name=$rel/
    printf 'E %s\n' "$(printf '%s' "$name" | base64 -w0)"
    d=
    if [ ! -e "$t" ] && [ ! -L "$t" ]; then d=absent
    elif [ -L "$e" ]; then { [ -L "$t" ] && [ "$(readlink -- "$e")" = "$(readlink -- "$t")" ]; } || d=content
    elif [ -d "$e" ]; then { [ -d "$t" ] && [ ! -L "$t" ]; } || d='type'
    elif [ -L "$t" ] || [ ! -f "$t" ]; then d='type'
    elif ! cmp -s -- "$e" "$t"; then d=content
    fi
    if [ -z "$d" ] && [ ! -L "$e" ]; then
      want=${mode:-$(stat -c %a -- "$e")}
      [ "$(stat -c %a -- "$t")" = "$want" ] || d=mode
      [ -z "$owner" ] || [ "$(stat -c %U -- "$t")" = "$owner" ] || [ "$(stat -c %u -- "$t")" = "$owner" ] || d=owner
      [ -z "$group" ] || [ "$(stat -c %G -- "$t")" = "$group" ] || [ "$(stat -c %g -- "$t")" = "$group" ] || d=owner
    fi
    [ -z "$d" ] || printf 'D %s %s\n' "$d" "$(printf '%s' "$rel" | base64 -w0)"
  done
)
# lbprov_unarchive KIND SRC DEST OWNER GROUP MODE: unpacks into a temp dir inside DEST, then renames
# each file into place (directories are created or kept), with the owner, group and mode asked for.
lbprov_unarchive() {
  local kind=$1 src=$2 dest=$3 owner=$4 group=$5 mode=$6 w a h e t
  w=$(mktemp -d -- "$dest/.lbprov.XXXXXX") || return 1
  lbprov_junk "$w"
  a=$(lbprov_unarchive_open "$kind" "$src" "$w") || { rm -rf -- "$w"; return 1; }
  h=$(lbprov_unarchive_handler "$a")
  { mkdir -- "$w/x" && lbprov_unarchive_extract "$a" "$h" "$src" "$w/x"; } || { rm -rf -- "$w"; return 1; }
  # the list first: entries are renamed out of the tree while it is walked
  local entries=()
  mapfile -d '' entries < <(find "$w/x" -mindepth 1 -print0)
  for e in "${entries[@]}"; do
    t=$dest/${e#"$w/x/"}
    if [ -d "$e" ] && [ ! -L "$e" ]; then
      if [ -L "$t" ] || { [ -e "$t" ] && [ ! -d "$t" ]; }; then rm -f -- "$t"; fi
      { mkdir -p -- "$t" && chmod --reference="$e" -- "$t"; } || { rm -rf -- "$w"; return 1; }
    else
      mv -fT -- "$e" "$t" || { rm -rf -- "$w"; return 1; }
    fi
    if [ -n "$owner$group" ]; then chown -h -- "$owner${group:+:$group}" "$t" || { rm -rf -- "$w"; return 1; }; fi
    if [ -n "$mode" ] && [ ! -L "$t" ]; then chmod -- "$mode" "$t" || { rm -rf -- "$w"; return 1; }; fi
  done
  rm -rf -- "$w"
}
