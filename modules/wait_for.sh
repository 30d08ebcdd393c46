# shellcheck shell=bash
# The wait_for module's shell function (a subshell: what it sets and its exit stay its own).
# lbprov_wait_for MODE HOST TARGET STATE TIMEOUT_MS DELAY SLEEP REGEX: waits; prints the milliseconds it took, rc 1 on timeout
lbprov_wait_for() (
  mode=$1 host=$2 target=$3 state=$4 timeout_ms=$5 delay=$6 pause=$7 re=$8
  check() {
    if [ "$mode" = port ]; then
      # shellcheck disable=SC2016 # $0 and $1 are the inner bash's arguments
      if timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$target" 2>/dev/null; then [ "$state" = started ]; else [ "$state" = stopped ]; fi
    elif [ "$state" = absent ]; then [ ! -e "$target" ]
    else [ -e "$target" ] && { [ -z "$re" ] || grep -Eq -e "$re" -- "$target" 2>/dev/null; }
    fi
  }
  start=$(date +%s%N)
  sleep "$delay"
  while :; do
    if check; then echo $(( ($(date +%s%N) - start) / 1000000 )); exit 0; fi
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ "$ms" -ge "$timeout_ms" ]; then echo "$ms"; exit 1; fi
    sleep "$pause"
  done
)
