#!/bin/bash
# Prints the xnnpack engine beside ONNX Runtime 1.30 (node) and PyTorch eager on the graphs a bundle
# holds: the ladder's cnn-m, mobilenet and resnet as export/'s writer and int8 quantizer write them
# (write_ladder_onnx, seeded weights), for the 1x28x28 and 3x64x64 inputs, same files, same run, with
# the issue-8 targets checked. Then the int8 ceiling of this XNNPACK (xnnpack_int8_ceiling): each
# ladder operator alone in fp32 and int8, and what the engine's int8 subgraphs run in int8.
# Usage: bench/runtime/compare_with_peers.sh [BUILD_DIR] [THREADS]     (measure on a quiet machine)
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:-$source_dir/build}
threads=${2:-1}
families=cnn-m,mobilenet,resnet
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT
if [ ! -d "$source_dir/bench/peers/node_modules/onnxruntime-node" ]; then
  (cd "$source_dir/bench/peers" && npm install --ignore-scripts --no-audit --no-fund >/dev/null)
fi
cmake --build "$build_dir" --target engine_vs_peers write_ladder_onnx xnnpack_int8_ceiling -j2 >/dev/null
for shape in "1 28" "3 64"; do
  set -- $shape
  out="$models/c$1s$2"
  "$build_dir/bench/runtime/write_ladder_onnx" "$out" --families "$families" --channels "$1" --size "$2" >/dev/null
  echo "== ladder graphs (export/ writer, seeded weights), input ${1}x${2}x${2}, load average $(cut -d' ' -f1 /proc/loadavg)"
  "$build_dir/bench/runtime/engine_vs_peers" --threads "$threads" "$out"/cnn-m.onnx "$out"/mobilenet.onnx \
    "$out"/resnet.onnx 2> >(grep -v "^\[ERROR\|^>\|opencv on" >&2)
done
echo "== int8 ceiling of this XNNPACK, input 1x28x28, load average $(cut -d' ' -f1 /proc/loadavg)"
"$build_dir/bench/runtime/xnnpack_int8_ceiling" --families "$families" --channels 1 --size 28 --models "$models/c1s28"
