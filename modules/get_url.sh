# shellcheck shell=bash
# The get_url module's shell functions.
# lbprov_get_url_fetch URL TIMEOUT: the URL's body on stdout (file:// read directly; http(s) by curl, else wget).
lbprov_get_url_fetch() {
  local url=$1 t=$2
  case $url in
    file://*) cat -- "${url#file://}" ;;
    http://* | https://*)
      if command -v curl >/dev/null 2>&1; then curl -fsSL --max-time "$t" -- "$url"
      elif command -v wget >/dev/null 2>&1; then wget -q -T "$t" -O - -- "$url"
      else echo "neither curl nor wget on this host (needed for $url)" >&2; return 2; fi ;;
    *) echo "unsupported URL scheme: $url" >&2; return 2 ;;
  esac
}
# lbprov_get_url_probe URL DEST FILENAME ALGO EXPECTED TIMEOUT MAXINLINE: what the planning needs, as key=value
# lines (names and contents base64): the destination (DEST/FILENAME when DEST is a directory), its type,
# attributes, sha1 and ALGO sum, and the URL's sha1 and size, its body too when at most MAXINLINE bytes
# (the URL is not fetched when the destination's ALGO sum is EXPECTED already). Changes nothing.
lbprov_get_url_probe() (
  url=$1 dest=$2 name=$3 algo=$4 want=$5 t=$6 max=$7
  b64() { base64 -w0; echo; }
  if [ -d "$dest" ]; then dest=${dest%/}/$name; fi
  printf 'dest='; printf '%s' "$dest" | b64
  if [ -f "$dest" ]; then
    echo type=file
    stat -c 'mode=%a' -- "$dest"
    printf 'owner='; stat -c %U -- "$dest" | tr -d '\n' | b64
    printf 'group='; stat -c %G -- "$dest" | tr -d '\n' | b64
    sum=$(sha1sum -- "$dest") && echo "sha1=${sum%% *}"
    if [ -n "$algo" ]; then sum=$("${algo}sum" -- "$dest") && echo "sum=${sum%% *}"; fi
    if [ "$(stat -c %s -- "$dest")" -le "$max" ]; then printf 'dest_body='; b64 < "$dest"; fi
    if [ -n "$want" ] && [ "${sum%% *}" = "$want" ]; then exit 0; fi
  elif [ -e "$dest" ]; then echo type=other; exit 0
  else
    echo type=absent
    if [ -d "${dest%/*}/" ]; then echo dir=1; else echo dir=0; fi
  fi
  tmp=$(mktemp) || exit 1
  trap 'rm -f -- "$tmp"' EXIT
  if ! lbprov_get_url_fetch "$url" "$t" > "$tmp" 2> "$tmp.err"; then
    printf 'src_error='; b64 < "$tmp.err"; rm -f -- "$tmp.err"; exit 0
  fi
  rm -f -- "$tmp.err"
  sum=$(sha1sum -- "$tmp") && echo "src_sha1=${sum%% *}"
  if [ -n "$algo" ]; then sum=$("${algo}sum" -- "$tmp") && echo "src_sum=${sum%% *}"; fi
  size=$(stat -c %s -- "$tmp") && echo "src_size=$size"
  if [ "$size" -le "$max" ]; then printf 'src_body='; b64 < "$tmp"; fi
)
# lbprov_get_url URL TIMEOUT ALGO EXPECTED DEST MODE OWNER GROUP BACKUP: downloads into a temp file beside
# DEST, checks the checksum, and renames it over DEST (lbprov_put: attributes, backup, atomic rename).
lbprov_get_url() {
  LBPROV_GU=("$1" "$2" "$3" "$4")
  lbprov_put "$5" "$6" "$7" "$8" lbprov_get_url_write "$9"
}
lbprov_get_url_write() {
  local url=${LBPROV_GU[0]} t=${LBPROV_GU[1]} algo=${LBPROV_GU[2]} want=${LBPROV_GU[3]} sum
  lbprov_get_url_fetch "$url" "$t" > "$1" || return 1
  if [ -n "$want" ]; then
    sum=$("${algo}sum" -- "$1") || return 1
    if [ "${sum%% *}" != "$want" ]; then echo "The checksum for the download of $url did not match $want; it was ${sum%% *}." >&2; return 1; fi
  fi
}
