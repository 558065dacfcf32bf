#!/usr/bin/env bash
# The hostile files of issue 17 through `edgeloop data import`: IDX headers that lie (two
# 65535×65535 images in 116 bytes, 10^9 images, the same gzipped), a FIFO named x.png, a FIFO as the
# manifest, and image folders holding one hostile image each (../hostile_images.py: the DICOM
# preamble named scan.png, which aborted through GDCM, and a RIFF/WEBP header libwebp rejects over
# it, named photo.webp), refused with one line naming the file, and the DICOM preamble named
# dicom-video.mp4 (OpenCV's CAP_ANY read it as an image, through GDCM; FFmpeg prints a line of its own
# beside edgeloop's). Each must be refused with one line and exit 2/5 (or skipped, for the FIFO in a folder),
# within 50 ms of the command first touching the input (the first system call naming it, to the
# process's exit, under strace: the command's own start-up, 0.5-2 s of loading libraries and
# varying with the load, is not the input's doing), under 512 MB of peak memory, and without
# hanging (each run has a 20 s timeout).
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
work=$(mktemp -d /tmp/edgeloop-hostile-XXXXXX)
trap 'rm -rf "$work"' EXIT
ws="$work/ws"
"$edgeloop" -q init "$ws" > /dev/null || exit 1

/usr/bin/python3 - "$work" <<'PY'
import gzip, os, struct, sys
work = sys.argv[1]
def images(name, count, rows, columns, payload, gz=False):
    folder = os.path.join(work, name)
    os.makedirs(folder)
    data = struct.pack(">IIII", 0x803, count, rows, columns) + bytes(payload)
    labels = struct.pack(">II", 0x801, count) + bytes(min(count, 100))
    opener = gzip.open if gz else open
    suffix = ".gz" if gz else ""
    with opener(os.path.join(folder, "train-images-idx3-ubyte" + suffix), "wb") as out: out.write(data)
    with opener(os.path.join(folder, "train-labels-idx1-ubyte" + suffix), "wb") as out: out.write(labels)
images("huge-images", 2, 65535, 65535, 100)          # the issue's 116-byte file
images("billion-images", 10**9, 28, 28, 784 * 3)
images("billion-images-gz", 10**9, 28, 28, 784 * 3, gz=True)
os.makedirs(os.path.join(work, "fifo-folder", "cat"))
PY
mkfifo "$work/fifo-folder/cat/x.png"
/usr/bin/python3 -c "import struct,zlib,sys
def c(k,b): return struct.pack('>I',len(b))+k+b+struct.pack('>I',zlib.crc32(k+b))
sys.stdout.buffer.write(b'\x89PNG\r\n\x1a\n'+c(b'IHDR',struct.pack('>IIBBBBB',2,2,8,0,0,0,0))+c(b'IDAT',zlib.compress(b'\0ab\0cd'))+c(b'IEND',b''))" > "$work/fifo-folder/cat/good.png"
mkfifo "$work/manifest.csv"
/usr/bin/python3 "$(dirname "$0")/../hostile_images.py" "$work/hostile"
mkdir -p "$work/dicom-folder/cat" "$work/webp-over-dicom-folder/cat"
cp "$work/hostile/dicom-preamble.bin" "$work/dicom-folder/cat/scan.png"
cp "$work/hostile/webp-header-over-dicom.bin" "$work/webp-over-dicom-folder/cat/photo.webp"
cp "$work/hostile/dicom-preamble.bin" "$work/dicom-video.mp4"

# measure INPUT ARGS...: status, milliseconds from the first system call naming INPUT (or a file
# under it) to the exit (the fastest of 3 runs: a busy machine adds to one run, never takes away),
# peak RSS (MB, the largest) and the lines on stderr of an edgeloop command.
# Where ptrace is not allowed (some containers), the time is not measured: "unmeasured".
tracer=(strace -f -qq -ttt --seccomp-bpf -e trace=%file,exit_group -o "$work/trace")
"${tracer[@]}" true 2> /dev/null || tracer=()
measure() {
  local input=$1 best="" peak=0 status=0 milliseconds kilobytes
  shift
  for _ in 1 2 3; do
    rm -f "$work/trace"
    /usr/bin/time -f '%M' -o "$work/time" timeout 20 "${tracer[@]}" "$edgeloop" -q --workspace "$ws" "$@" \
      > /dev/null 2> "$work/stderr"
    status=$?
    kilobytes=$(tail -1 "$work/time")
    milliseconds=$(/usr/bin/python3 - "$work/trace" "$input" <<'PY'
import os, sys
if not os.path.exists(sys.argv[1]): print("unmeasured"); sys.exit()
lines = open(sys.argv[1]).read().splitlines()
touched = [float(line.split()[1]) for line in lines if '"' + sys.argv[2] in line]
ended = [float(line.split()[1]) for line in lines if "exit_group(" in line or "+++ exited" in line]
print(round((ended[-1] - touched[0]) * 1000) if touched and ended else 20000)
PY
)
    if [ "$milliseconds" = unmeasured ]; then best=unmeasured; elif [ "$best" != unmeasured ]; then
      best=$(( ${best:-999999} < milliseconds ? ${best:-999999} : milliseconds ))
    fi
    peak=$((kilobytes > peak ? kilobytes : peak))
  done
  echo "$status $best $((peak / 1024)) $(grep -c . "$work/stderr")"
}

# The file each hostile image's one line must name.
declare -A named=([dicom-folder]=cat/scan.png [webp-over-dicom-folder]=cat/photo.webp [dicom-video.mp4]=dicom-video.mp4)
for case in huge-images billion-images billion-images-gz fifo-folder manifest.csv dicom-folder webp-over-dicom-folder \
  dicom-video.mp4; do
  read -r status milliseconds megabytes lines < <(measure "$work/$case" data import "$work/$case" --name "h${case//[^a-z]/}")
  target='2 or 5, one line'
  if [ "$case" = fifo-folder ]; then target='0, x.png skipped'; good=$((status == 0)); else good=$(( (status == 2 || status == 5) && lines == 1 )); fi
  if [ "$case" = dicom-video.mp4 ]; then   # FFmpeg's "moov atom not found" is not edgeloop's to count
    target="2 or 5, one edgeloop line naming ${named[$case]}"
    good=$(( (status == 2 || status == 5) && $(grep -c '^edgeloop:' "$work/stderr") == 1 ))
    grep -qF "${named[$case]}" "$work/stderr" || good=0
    cat "$work/stderr" >&2
  elif [ -n "${named[$case]:-}" ]; then
    target="2 or 5, one line naming ${named[$case]}"
    grep -qF "${named[$case]}" "$work/stderr" || good=0
    cat "$work/stderr" >&2
  fi
  row "hostile:$case" "exit status (lines on stderr)" "$status ($lines)" "$target" "$good"
  fast=0; [ "$milliseconds" != unmeasured ] && [ "$milliseconds" -le 50 ] && fast=1
  row "hostile:$case" "ms from first touching it to exit" "$milliseconds" "<= 50 ms" "$fast"
  row "hostile:$case" "peak RSS MB" "$megabytes" "<= 512" $((megabytes <= 512))
done
