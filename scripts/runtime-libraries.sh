#!/bin/sh
# runtime-libraries.sh BINARY DEST BASE_PACKAGES: copies into DEST, each under its soname, every
# shared library BINARY loads (ldd's whole closure) except those of the packages listed in the
# file BASE_PACKAGES (one name per line: what the runtime image's base already has, e.g.
# `dpkg-query -W -f='${Package}\n'` run in debian:bookworm-slim). Prints one line per library
# copied: soname, package, bytes.
#
# Why: the device image's runtime stage takes this folder instead of apt-installing the packages
# of the libraries edgeloop-edge links. Their Depends bring what the binary never loads: OpenCV's
# core depends on libglx0, which brings Mesa's GL drivers and LLVM (about 140 MB), GDAL brings its
# GIS data, and so on. bench/deploy/runtime_image_size.sh measures both ways.
#
# Run it where BINARY was built (the Dockerfile's build stage), so that every library is the one
# the binary was linked against. Fails when a library cannot be resolved or has no package.
set -eu
[ $# -eq 3 ] || { echo "usage: runtime-libraries.sh BINARY DEST BASE_PACKAGES" >&2; exit 2; }
binary=$1
dest=$2
base_packages=$3
[ -x "$binary" ] || { echo "runtime-libraries.sh: $binary is not an executable: build edgeloop-edge first" >&2; exit 2; }
[ -s "$base_packages" ] || { echo "runtime-libraries.sh: $base_packages is empty: list the base image's packages into it" >&2; exit 2; }

# BLAS and LAPACK: the reference (Netlib) libraries when this machine has them, whatever the
# alternatives point at. On the device only OpenCV's core links them, for functions the pipeline
# never calls per frame (solve, SVD, PCA); OpenBLAS, which training wants, adds 35 MB there.
# ldd resolves through LD_LIBRARY_PATH first, so the closure is computed with them in place.
reference=""
for alternative in blas/libblas.so.3 lapack/liblapack.so.3; do
  linked=$(ldd "$binary" | awk -v name="${alternative#*/}" '$1 == name {print $3}')
  [ -n "$linked" ] && [ -e "$(dirname "$linked")/$alternative" ] &&
    reference="$reference${reference:+:}$(dirname "$linked")/$(dirname "$alternative")"
done
ldd() { LD_LIBRARY_PATH="$reference${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" command ldd "$@"; }

missing=$(ldd "$binary" | awk '/=> not found/ {print $1}')
[ -z "$missing" ] || { echo "runtime-libraries.sh: $binary needs libraries this machine lacks: $missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# soname, path and the file the path's symlinks end at, of every library in the closure.
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | while read -r soname path; do
  echo "$soname $path $(readlink -f "$path")"
done >"$work/libraries"
# dpkg knows a file under the name its package lists, which on a merged-/usr system may be the
# /lib or the /usr/lib spelling of what ldd printed, or the file a symlink ends at: ask for every
# spelling in one call (dpkg -S reads its whole database per call).
awk '{for (i = 2; i <= 3; ++i) {p = $i; sub(/^\/usr/, "", p); print p; print "/usr" p}}' "$work/libraries" |
  sort -u >"$work/spellings"
# shellcheck disable=SC2046
dpkg -S $(cat "$work/spellings") 2>/dev/null | sed -n 's/^\([^:,]*\).*: \(\/.*\)$/\2 \1/p' >"$work/owners" || true
# soname, path, package.
awk 'NR == FNR {owner[$1] = $2; next}
     {package = ""
      for (i = 2; i <= 3 && package == ""; ++i) {
        p = $i; sub(/^\/usr/, "", p)
        if (p in owner) package = owner[p]; else if (("/usr" p) in owner) package = owner["/usr" p]
      }
      print $1, $2, (package == "" ? "-" : package)}' "$work/owners" "$work/libraries" >"$work/packages"

mkdir -p "$dest"
while read -r soname path package; do
  [ "$package" != "-" ] || { echo "runtime-libraries.sh: no Debian package ships $path" >&2; exit 1; }
  grep -qx "$package" "$base_packages" && continue
  cp -L "$path" "$dest/$soname"
  echo "$soname $package $(stat -c %s "$dest/$soname")"
done <"$work/packages"
