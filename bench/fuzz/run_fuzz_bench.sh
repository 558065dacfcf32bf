#!/usr/bin/env bash
# The fuzzing figure of issue 17: every libFuzzer target under fuzz/ (one per parser of outside
# input: images, IDX, CSV manifests, label CSV, capture sidecars, preprocessing specs, bundle.json
# through `bundle verify`, model.onnx through the device's engines, the edge YAML config, HTTP and
# MQTT command bodies, raw HTTP requests, the bundle inbox's chunks and offsets) for at least
# 1,000,000 runs from its seed corpus, under ASan and UBSan, built by clang in build-fuzz/ (no
# LibTorch linked). Prints per target: runs, exec/s, crashes, coverage (edges, features), peak RSS.
# The target is 0 crashes, 0 leaks, 0 hangs (-timeout=5), 0 out-of-memory (-rss_limit_mb=2048).
#
#   make fuzz                                        # = bash bench/fuzz/run_fuzz_bench.sh
#   bash bench/fuzz/run_fuzz_bench.sh [RUNS [TARGET...]]   # default 1000000, every target
#   bash fuzz/run.sh --seconds 30                    # CI length: 30 s per target, same build
#
# Needs clang and libclang-rt-14-dev (scripts/install-deps.sh). The fuzzers run at nice 19, one
# process each (-jobs=1 -workers=1), one after the other: tens of minutes to hours on 2 busy
# cores; exec/s is then a smoke figure, not a performance result. A failing target's log and
# input are kept under the /tmp folder printed at the end.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-1000000}
shift || true
JOBS=${JOBS:-1} nice -n 19 bash "$source_dir/fuzz/build.sh" "$source_dir/build-fuzz"
echo "fuzzing, $runs runs per target, load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
bash "$source_dir/fuzz/run.sh" --runs "$runs" "$source_dir/build-fuzz" "$@" | column -t -s $'\t' || status=$?
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
