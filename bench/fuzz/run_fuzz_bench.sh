#!/usr/bin/env bash
# The fuzzing figure of issue 17: every libFuzzer target (fuzz/) for at least 1,000,000 runs under
# ASan and UBSan from its seed corpus; prints runs, speed and result per target (0 crashes is the
# target). Long (tens of minutes on 2 cores).   bash bench/fuzz/run_fuzz_bench.sh [RUNS]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
bash "$source_dir/fuzz/build.sh" "$source_dir/build-fuzz"
echo "fuzzing, ${1:-1000000} runs per target, load average $(cut -d' ' -f1 /proc/loadavg)"
bash "$source_dir/fuzz/run.sh" --runs "${1:-1000000}" "$source_dir/build-fuzz" | column -t -s $'\t'
