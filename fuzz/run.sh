#!/usr/bin/env bash
# Runs every libFuzzer target from its seed corpus (fuzz/corpus/<target>/, read-only; new inputs go
# to a scratch folder) and prints one TSV row per target: target, runs, result. A crash, leak,
# timeout or sanitizer report fails the target; its input is kept under the printed folder.
#   bash fuzz/run.sh --seconds 10 [BUILD_DIR]    (CI: a time budget per target)
#   bash fuzz/run.sh --runs 1000000 [BUILD_DIR]  (bench/fuzz: a run count per target)
set -uo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
mode=$1 amount=$2
build_dir=${3:-$source_dir/build-fuzz}
case "$mode" in
  --seconds) limit="-max_total_time=$amount" ;;
  --runs) limit="-runs=$amount" ;;
  *) echo "usage: fuzz/run.sh --seconds S | --runs N [BUILD_DIR]" >&2; exit 2 ;;
esac
out=$(mktemp -d /tmp/edgeloop-fuzz-XXXXXX)
status=0
printf 'target\truns\texec/s\tresult\n'
for corpus in "$source_dir"/fuzz/corpus/*/; do
  target=$(basename "$corpus")
  binary="$build_dir/fuzz/$target"
  if [ ! -x "$binary" ]; then printf '%s\t-\t-\tFAIL (not built: run fuzz/build.sh)\n' "$target"; status=1; continue; fi
  mkdir -p "$out/$target/new"
  # -rss_limit_mb: the issue's 512 MB ceiling for any rejected input; -timeout: a hang is a bug.
  "$binary" "$out/$target/new" "$corpus" $limit -rss_limit_mb=512 -timeout=10 -max_len=65536 \
    -artifact_prefix="$out/$target/" -print_final_stats=1 > "$out/$target/log" 2>&1
  result=$?
  runs=$(grep -oP 'stat::number_of_executed_units:\s*\K[0-9]+' "$out/$target/log" | tail -1)
  speed=$(grep -oP 'stat::average_exec_per_sec:\s*\K[0-9]+' "$out/$target/log" | tail -1)
  if [ $result -eq 0 ]; then verdict=ok; else verdict="FAIL (see $out/$target/log)"; status=1; fi
  printf '%s\t%s\t%s\t%s\n' "$target" "${runs:--}" "${speed:--}" "$verdict"
done
echo "logs and any crashing inputs: $out" >&2
exit $status
