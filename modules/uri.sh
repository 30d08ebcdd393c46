# shellcheck shell=bash
# The uri module's shell function (a subshell: what it sets and its exit stay its own).
# lbprov_uri URL METHOD TIMEOUT CLIENT: the request, by curl or bash /dev/tcp; the body, then `@@STATUS code`
lbprov_uri() (
  url=$1 method=$2 t=$3 client=$4
  if [ "$client" != bash ] && command -v curl >/dev/null 2>&1; then
    if [ "$method" = HEAD ]; then m=--head; else m=--get; fi
    curl -sS "$m" --max-time "$t" -o - -w '\n@@STATUS %{http_code}\n' -- "$url"
    exit
  fi
  case $url in http://*) ;; *) echo "no curl on this host, and only http:// URLs work without it" >&2; exit 2 ;; esac
  rest=${url#http://}; hp=${rest%%/*}; path=/${rest#"$hp"}; path=/${path#/}
  host=${hp%%:*}; port=80; case $hp in *:*) port=${hp##*:} ;; esac
  exec 3<>"/dev/tcp/$host/$port" || exit 7
  printf '%s %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$method" "$path" "$hp" >&3
  resp=$(timeout "$t" cat <&3) || true
  status=$(printf '%s\n' "$resp" | head -n 1 | awk '{ print $2 }')
  printf '%s' "$resp" | awk 'body { print } /^\r?$/ { body = 1 }'
  printf '\n@@STATUS %s\n' "${status:-000}"
)
