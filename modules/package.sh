# shellcheck shell=bash
# The package module's shell function (a subshell: what it sets and its exit stay its own).
# lbprov_pkg_query STATE NAME...: for a play without facts, the host's package manager found as the
# facts find it (apt-get first, then dnf) and what it has of NAME..., in one read: `@@PM apt|dnf|none`,
# then dpkg-query's (apt) or rpm's (dnf) lines, and for STATE latest on apt `@@POLICY` and
# apt-cache policy's answer.
lbprov_pkg_query() (
  state=$1
  shift
  if command -v apt-get >/dev/null 2>&1; then
    echo '@@PM apt'
    # shellcheck disable=SC2016 # ${Package} is dpkg-query's format, not the shell's
    dpkg-query -W -f '${Package}\t${Status}\t${Version}\n' -- "$@" 2>/dev/null
    if [ "$state" = latest ]; then
      echo '@@POLICY'
      apt-cache policy -- "$@"
    fi
  elif command -v dnf >/dev/null 2>&1; then
    echo '@@PM dnf'
    rpm -q --qf '%{NAME}\tinstalled\t%{VERSION}-%{RELEASE}\n' -- "$@"
  else
    echo '@@PM none'
  fi
  exit 0
)
