# shellcheck shell=bash
# The service_facts module's shell function (a subshell: what it sets stays its own).
# lbprov_service_facts: what Ansible's SystemctlScanService runs, in sections: `@none` (pid 1 is
# not systemd), `@units` (list-units; `@units-failed` after it on error), `@files` (list-unit-files),
# `@show` with `NAME<TAB>ActiveState` (empty: show failed) for each unit file list-units did not list
lbprov_service_facts() (
  comm=
  read -r comm < /proc/1/comm 2>/dev/null
  case $comm in *systemd*) ;; *) echo '@none'; exit 0 ;; esac
  echo '@units'
  if listed=$(systemctl list-units --no-pager --type service --all 2>&1); then printf '%s\n' "$listed"
  else printf '%s\n@units-failed\n' "$listed"; listed=; fi
  echo '@files'
  if unit_files=$(systemctl list-unit-files --no-pager --type service --all 2>&1); then printf '%s\n' "$unit_files"
  else printf '%s\n@files-failed\n' "$unit_files"; unit_files=; fi
  echo '@show'
  words=" $(printf '%s\n' "$listed" | tr -s ' \t\n' '   ') "
  printf '%s\n' "$unit_files" | awk '/\.service/ { print $1 }' | while read -r name; do
    case $words in *" $name "*) continue ;; esac
    if state=$(systemctl show "$name" --property=ActiveState 2>/dev/null); then
      printf '%s\t%s\n' "$name" "${state#ActiveState=}"
    else
      printf '%s\t\n' "$name"
    fi
  done
)
