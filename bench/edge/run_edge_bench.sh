#!/usr/bin/env bash
# The device module's figures (issue 5 targets), on a cnn-m int8 bundle trained on Fashion-MNIST.
#   bench/edge/run_edge_bench.sh BUILD_DIR EDGELOOP_BINARY [WORK_DIR] [SOAK_FRAMES]
# Trains and exports the bundle with the toolkit when WORK_DIR/cnn-m.bundle is absent (minutes),
# then runs edge_bench throughput, drift and soak. Note the machine load beside the figures.
set -euo pipefail
build_dir=${1:?build dir}
edgeloop=${2:?path to the edgeloop toolkit binary}
work=${3:-/tmp/edge-bench}
soak_frames=${4:-100000}
fashion=/usr/share/datasets/fashion-mnist
mkdir -p "$work"
if [[ ! -f "$work/cnn-m.bundle/bundle.json" ]]; then
  rm -rf "$work/ws" && mkdir -p "$work/ws" && cd "$work/ws"
  "$edgeloop" init .
  "$edgeloop" -q data import "$fashion" --name fashion --format idx
  "$edgeloop" -q data split fashion --keep-origin-test test
  "$edgeloop" -q --threads 1 train --data fashion --arch cnn-m --epochs 3 --max-seconds 300
  model=$("$edgeloop" --json models list --trained | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["model"])')
  "$edgeloop" -q export "$model" --int8 --out "$work/cnn-m.bundle"
fi
cd "$work"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build_dir/bench/edge/edge_bench" throughput --bundle cnn-m.bundle --frames 10000
"$build_dir/bench/edge/edge_bench" drift --bundle cnn-m.bundle --frames 10000
"$build_dir/bench/edge/edge_bench" soak --bundle cnn-m.bundle --frames "$soak_frames"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
