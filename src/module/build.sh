# shellcheck shell=bash
# Building on the host (build.ts): used by c_program, bpf_program and reuseport_selftest.
# lbprov_compile OUT HASHFILE HASH clang-args...: compile to OUT.tmp, then rename into place and
# record the source+flags hash beside it, so a failed compile leaves the old object and hash.
lbprov_compile() {
  local out=$1 hashfile=$2 hash=$3; shift 3
  lbprov_junk "$out.tmp"; lbprov_junk "$hashfile.tmp"
  "$@" -o "$out.tmp" || { rm -f -- "$out.tmp"; return 1; }
  mv -f -- "$out.tmp" "$out" && printf '%s\n' "$hash" > "$hashfile.tmp" && mv -f -- "$hashfile.tmp" "$hashfile"
}
