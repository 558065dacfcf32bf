#!/bin/bash
# Prints the xnnpack engine beside ONNX Runtime 1.30 (node) and PyTorch eager, same files, same run,
# with the issue-8 targets checked: the ladder's 28×28 gray input and a 3×64×64 colour input.
# Usage: bench/runtime/compare_with_peers.sh [BUILD_DIR] [THREADS]     (measure on a quiet machine)
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:-$source_dir/build}
threads=${2:-1}
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT
if [ ! -d "$source_dir/bench/peers/node_modules/onnxruntime-node" ]; then
  (cd "$source_dir/bench/peers" && npm install --ignore-scripts --no-audit --no-fund >/dev/null)
fi
cmake --build "$build_dir" --target engine_vs_peers -j2 >/dev/null
for shape in "1 28" "3 64"; do
  set -- $shape
  out="$models/c$1s$2"
  /usr/bin/python3 "$source_dir/bench/runtime/make_test_models.py" --out "$out" --channels "$1" --size "$2" --int8 \
    --weights --families cnn-m,mobilenet,resnet >/dev/null
  echo "== input ${1}x${2}x${2}, load average $(cut -d' ' -f1 /proc/loadavg)"
  "$build_dir/bench/runtime/engine_vs_peers" --threads "$threads" "$out"/cnn-m.onnx "$out"/mobilenet.onnx \
    "$out"/resnet.onnx 2> >(grep -v "^\[ERROR\|^>\|opencv on" >&2)
done
