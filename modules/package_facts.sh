# shellcheck shell=bash
# The package_facts module's shell function (a subshell: what it sets stays its own).
# lbprov_package_facts: every package database the host has, in sections: `@apt` (dpkg-query:
# name, version, arch, section, status) and `@rpm` (rpm -qa: name, version, release, epoch, arch)
lbprov_package_facts() (
  if command -v dpkg-query >/dev/null 2>&1; then
    echo '@apt'
    dpkg-query -W -f '${binary:Package}\t${Version}\t${Architecture}\t${Section}\t${db:Status-Status}\n' || echo '@apt-failed'
  fi
  if command -v rpm >/dev/null 2>&1; then
    echo '@rpm'
    rpm -qa --qf '%{NAME}\t%{VERSION}\t%{RELEASE}\t%{EPOCH}\t%{ARCH}\n' || echo '@rpm-failed'
  fi
)
