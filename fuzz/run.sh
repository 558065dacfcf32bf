#!/usr/bin/env bash
# Runs every libFuzzer target from its seed corpus (fuzz/corpus/<target>/, read-only; new inputs go
# to a scratch folder) and prints one TSV row per target:
#   target  runs  exec/s  crashes  coverage (edges, features)  peak RSS (MB)  result
# A crash, leak, UB report, timeout (-timeout=5: one input over 5 s is a hang) or out-of-memory
# (-rss_limit_mb=2048) fails the target; its input is kept under the printed folder (copy it into
# fuzz/corpus/<target>/ with its fix and a regression test). One fuzzing process per target
# (-jobs=1 -workers=1), at nice 19 so that other work on the machine keeps the CPU.
#   bash fuzz/run.sh --seconds 30 [BUILD_DIR [TARGET...]]      a time budget per target (CI length)
#   bash fuzz/run.sh --runs 1000000 [BUILD_DIR [TARGET...]]    a run count per target (bench/fuzz)
# EDGELOOP_FUZZ_MAX_SECONDS=S with --runs also stops each target after S seconds (a busy machine):
# the runs column then says how far it got.
set -uo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-} amount=${2:-}
build_dir=$(cd "${3:-$source_dir/build-fuzz}" && pwd)
shift 3 2>/dev/null || shift $#
case "$mode" in
  --seconds) limit="-max_total_time=$amount" ;;
  --runs) limit="-runs=$amount${EDGELOOP_FUZZ_MAX_SECONDS:+ -max_total_time=$EDGELOOP_FUZZ_MAX_SECONDS}" ;;
  *) echo "usage: fuzz/run.sh --seconds S | --runs N [BUILD_DIR [TARGET...]]" >&2; exit 2 ;;
esac
if [ $# -gt 0 ]; then targets=("$@"); else targets=(); for corpus in "$source_dir"/fuzz/corpus/*/; do targets+=("$(basename "$corpus")"); done; fi
out=$(mktemp -d /tmp/edgeloop-fuzz-XXXXXX)
scratch=$(mktemp -d /dev/shm/edgeloop-fuzz-run-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
status=0
printf 'target\truns\texec/s\tcrashes\tcoverage\tpeak RSS MB\tresult\n'
for target in "${targets[@]}"; do
  corpus="$source_dir/fuzz/corpus/$target"
  binary="$build_dir/fuzz/$target"
  if [ ! -x "$binary" ]; then printf '%s\t-\t-\t-\t-\t-\tFAIL (not built: run fuzz/build.sh)\n' "$target"; status=1; continue; fi
  mkdir -p "$out/$target/new" "$out/$target/artifacts"
  # -jobs=1 -workers=1: libFuzzer runs the target in one child process and writes its log to
  # fuzz-0.log in the working folder.
  (cd "$out/$target" && EDGELOOP_FUZZ_SCRATCH="$scratch" nice -n 19 "$binary" "$out/$target/new" "$corpus" $limit \
     -jobs=1 -workers=1 -rss_limit_mb=2048 -timeout=5 -max_len=65536 -print_final_stats=1 \
     -artifact_prefix="$out/$target/artifacts/" > "$out/$target/driver.log" 2>&1)
  log="$out/$target/fuzz-0.log"
  runs=$(grep -aoP 'stat::number_of_executed_units:\s*\K[0-9]+' "$log" 2>/dev/null | tail -1)
  speed=$(grep -aoP 'stat::average_exec_per_sec:\s*\K[0-9]+' "$log" 2>/dev/null | tail -1)
  rss=$(grep -aoP 'stat::peak_rss_mb:\s*\K[0-9]+' "$log" 2>/dev/null | tail -1)
  coverage=$(grep -aoP '^#[0-9]+\s+\S+\s+cov: \K[0-9]+ ft: [0-9]+' "$log" 2>/dev/null | tail -1 | sed 's/ ft: /, /')
  crashes=$(find "$out/$target/artifacts" -type f | wc -l)
  if [ "$crashes" -eq 0 ] && [ -n "$runs" ] && ! grep -aq 'ERROR: \|runtime error:' "$log"; then
    verdict=ok
  else
    verdict="FAIL (see $log)"; status=1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "${runs:--}" "${speed:--}" "$crashes" "${coverage:--}" "${rss:--}" "$verdict"
done
echo "logs and any crashing inputs: $out" >&2
exit $status
