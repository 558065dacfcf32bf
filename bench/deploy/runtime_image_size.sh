#!/bin/sh
# runtime_image_size.sh DOCKERFILE [ROOT_CACHE]: what the runtime stage of an `edgeloop deploy`
# Dockerfile adds to a minimal Debian bookworm root, in MB installed. The base is made once with
# `debootstrap --variant=minbase bookworm` (cached in ROOT_CACHE, default /tmp/edgeloop-minbase),
# copied, and the runtime stage's `apt-get install --no-install-recommends` list installed into the
# copy; the figure is the copy's size after minus before (apt's downloaded archives and lists
# excluded). Needs root, debootstrap and the Debian mirror (scripts/install-deps.sh).
set -eu
dockerfile="$1"
cache="${2:-/tmp/edgeloop-minbase}"
# The packages of the last stage's apt-get install: the lines after the last FROM, one per line.
packages=$(awk '/^FROM /{stage=""} {stage=stage"\n"$0} END{print stage}' "$dockerfile" |
  sed -n '/apt-get install/,/rm -rf/p' | grep -v 'apt-get\|rm -rf' | tr -d '\\' | xargs)
[ -n "$packages" ] || { echo "no runtime packages found in $dockerfile"; exit 1; }
if [ ! -x "$cache/bin/sh" ]; then
  debootstrap --variant=minbase bookworm "$cache" http://deb.debian.org/debian >/dev/null
fi
root=$(mktemp -d /tmp/edgeloop-runtime-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
cp -a "$cache/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"   # the mirror by name from inside the root
before=$(du -sm --exclude=./var/cache/apt --exclude=./var/lib/apt/lists "$root" | cut -f1)
chroot "$root" apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends $packages >/dev/null
after=$(du -sm --exclude=./var/cache/apt --exclude=./var/lib/apt/lists "$root" | cut -f1)
count=$(echo "$packages" | wc -w)
echo "runtime stage: $count packages listed, $(chroot "$root" dpkg-query -W | wc -l) installed in all; adds $((after - before)) MB to a ${before} MB minbase bookworm root"
