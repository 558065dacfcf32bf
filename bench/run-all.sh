#!/usr/bin/env bash
# `make bench`: every benchmark of the issues, each printing its figure beside its target and its
# peer from the same run. Long (tens of minutes): run it on a quiet machine.
#   bash bench/run-all.sh [BUILD_DIR]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-$source_dir/build}" && pwd)
edgeloop="$build_dir/src/cli/edgeloop"
echo "== data: importer throughput (issue 2), load average $(cut -d' ' -f1 /proc/loadavg)"
"$build_dir/bench/data/edgeloop_data_import_bench"
echo "== runtime: xnnpack vs ONNX Runtime and PyTorch (issue 8)"
bash "$source_dir/bench/runtime/compare_with_peers.sh" "$build_dir" 1
echo "== train: edgeloop vs PyTorch, time to accuracy, baseline (issue 3)"
bash "$source_dir/bench/train/run_train_bench.sh" --edgeloop "$edgeloop" --threads 2
echo "== edge: pipeline fps, drift, monitoring cost, soak (issue 5)"
bash "$source_dir/bench/edge/run_edge_bench.sh" "$build_dir" "$edgeloop"
echo "== loop: drop recovered after one loop, uncertainty vs random labels, retrain + gate + promote, swap (issue 12)"
bash "$source_dir/bench/loop/run_loop_bench.sh" "$build_dir"
echo "== label: the labelling page at 10,000 captures in headless chromium, key press to frame painted, page load (issue 12)"
bash "$source_dir/bench/label/run_label_latency.sh" "$build_dir"
