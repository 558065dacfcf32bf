#!/bin/sh
# runtime_image_size.sh DOCKERFILE EDGE_BINARY BUNDLE [ROOT_CACHE]: what the runtime stage of an
# `edgeloop deploy` Dockerfile adds to a minimal Debian bookworm root, in MB installed, and whether
# edgeloop-edge then runs there as a non-root user on a folder of images and on a video file.
#
# The base is made once with `debootstrap --variant=minbase bookworm` (cached in ROOT_CACHE,
# default /tmp/edgeloop-minbase) and copied. Into the copy go what the runtime stage puts there:
# its `apt-get install --no-install-recommends` list and, when the stage copies the build stage's
# /out/lib, the libraries scripts/runtime-libraries.sh collects from EDGE_BINARY against the
# root's own package list (as the build stage does against debian:bookworm-slim's); then
# EDGE_BINARY itself. The figure is the copy's size after minus before (apt's downloaded archives
# and lists excluded). Needs root, debootstrap and the Debian mirror (scripts/install-deps.sh).
#   before (issue 14): 19 runtime packages; `sh bench/deploy/runtime_image_size.sh
#   deploy-DEVICE/Dockerfile build/src/edged/edgeloop-edge BUNDLE` prints the current figure.
set -eu
[ $# -ge 3 ] || { echo "usage: runtime_image_size.sh DOCKERFILE EDGE_BINARY BUNDLE [ROOT_CACHE]" >&2; exit 2; }
dockerfile="$1"
binary="$2"
bundle="$3"
cache="${4:-/tmp/edgeloop-minbase}"
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
runtime_stage=$(awk '/^FROM /{stage=""} {stage=stage"\n"$0} END{print stage}' "$dockerfile")
# The packages of the last stage's apt-get install: the lines after the last FROM, one per line.
packages=$(echo "$runtime_stage" | sed -n '/apt-get install/,/rm -rf/p' | grep -v 'apt-get\|rm -rf\|if \[\|fi$' |
  tr -d '\\;' | xargs)
[ -n "$packages" ] || { echo "no runtime packages found in $dockerfile"; exit 1; }
if [ ! -x "$cache/bin/sh" ]; then
  debootstrap --variant=minbase bookworm "$cache" http://deb.debian.org/debian >/dev/null
fi
root=$(mktemp -d /tmp/edgeloop-runtime-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
cp -a "$cache/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"   # the mirror by name from inside the root
# du matches --exclude against the paths it prints, so it runs from inside the root.
size() { (cd "$root" && du -sm --exclude=./var/cache/apt --exclude=./var/lib/apt/lists . | cut -f1); }
before=$(size)
chroot "$root" apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends $packages >/dev/null 2>&1
copied=""
if echo "$runtime_stage" | grep -q 'COPY --from=build /out/lib/'; then
  library_dir=$(echo "$runtime_stage" | sed -n 's|^COPY --from=build /out/lib/ \(.*\)/$|\1|p')
  chroot "$root" dpkg-query -W -f='${Package}\n' >"$root/tmp/base-packages.txt"
  sh "$source_dir/scripts/runtime-libraries.sh" "$binary" "$root$library_dir" "$root/tmp/base-packages.txt" >"$root/tmp/copied.txt"
  rm "$root/tmp/base-packages.txt"
  echo "$library_dir" >"$root/etc/ld.so.conf.d/edgeloop.conf"
  chroot "$root" ldconfig
  copied=", $(wc -l <"$root/tmp/copied.txt") libraries copied ($(awk '{s += $3} END {printf "%.0f", s / 1e6}' "$root/tmp/copied.txt") MB)"
  rm "$root/tmp/copied.txt"
fi
install -D -m 0755 "$binary" "$root/usr/local/bin/edgeloop-edge"
after=$(size)
count=$(echo "$packages" | wc -w)
echo "runtime stage: $count packages listed, $(chroot "$root" dpkg-query -W | wc -l) installed in all$copied; adds $((after - before)) MB to a ${before} MB minbase bookworm root (edgeloop-edge $(($(stat -c %s "$binary") / 1000)) KB included)"

# Does it run there, as nobody, on the sources a device reads? A folder of PNGs and a video file,
# with the bundle; no network, no HTTP.
mkdir -p "$root/tmp/check/frames"
cp -r "$bundle" "$root/tmp/check/bundle"
video=/usr/share/doc/opencv-doc/examples/data/vtest.avi
cp "$video" "$root/tmp/check/video.avi"
data=/usr/share/doc/opencv-doc/examples/data
cp "$data/fruits.jpg" "$data/apple.jpg" "$data/HappyFish.jpg" "$data/LinuxLogo.jpg" "$root/tmp/check/frames/"
cp "$data/graf1.png" "$root/tmp/check/frames/" 2>/dev/null || true
chmod -R a+rX "$root/tmp/check"
for source in /tmp/check/frames /tmp/check/video.avi; do
  lines=$(chroot --userspec=65534:65534 "$root" /usr/local/bin/edgeloop-edge --bundle /tmp/check/bundle \
    --source "$source" --no-http --quiet 2>"$root/tmp/check/stderr" | grep -c '"model_id"' || true)
  echo "edgeloop-edge as nobody on $source: $lines predictions, exit lines on stderr: $(head -c 300 "$root/tmp/check/stderr" | tr '\n' ' ')"
done
