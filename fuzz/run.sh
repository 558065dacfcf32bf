#!/usr/bin/env bash
# Runs every libFuzzer target from its seed corpus (fuzz/corpus/<target>/, read-only; new inputs go
# to a scratch folder) and prints one TSV row per target:
#   target  runs  exec/s  crashes  coverage (edges, features)  peak RSS (MB)  result
# A crash, leak, UB report, timeout (-timeout=5: one input over 5 s is a hang, unless it runs again
# alone within the limit: the process was paused, see below) or out-of-memory (-rss_limit_mb=2048)
# fails the target; its input is kept under the printed folder (copy it into
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
  --seconds|--runs) ;;
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
  # Attempts: libFuzzer's -timeout is wall time, so a process paused (SIGSTOP, e.g. while another
  # program on the machine is measured) reports a timeout on resume. A timeout input that runs
  # again alone well within the limit is such a pause, not a hang: it is set aside (kept under
  # paused/) and fuzzing resumes from the corpus so far for the runs or seconds left. A timeout that
  # repeats, or any other failure, ends the target.
  done_runs=0 done_seconds=0 attempt=0 pauses=0 weighted_time=0 peak_rss=0 coverage= failed=0 log=
  while :; do
    attempt=$((attempt + 1))
    case "$mode" in
      --seconds) limit="-max_total_time=$((amount - done_seconds))" ;;
      --runs) limit="-runs=$((amount - done_runs))${EDGELOOP_FUZZ_MAX_SECONDS:+ -max_total_time=$((EDGELOOP_FUZZ_MAX_SECONDS - done_seconds))}" ;;
    esac
    folder="$out/$target/attempt-$attempt"
    mkdir -p "$folder"
    started=$(date +%s)
    # -jobs=1 -workers=1: libFuzzer runs the target in one child process and writes its log to
    # fuzz-0.log in the working folder.
    (cd "$folder" && EDGELOOP_FUZZ_SCRATCH="$scratch" nice -n 19 "$binary" "$out/$target/new" "$corpus" $limit \
       -jobs=1 -workers=1 -rss_limit_mb=2048 -timeout=5 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$out/$target/artifacts/" > "$folder/driver.log" 2>&1)
    done_seconds=$((done_seconds + $(date +%s) - started))
    log="$folder/fuzz-0.log"
    runs=$(grep -aoP 'stat::number_of_executed_units:\s*\K[0-9]+' "$log" 2>/dev/null | tail -1)
    speed=$(grep -aoP 'stat::average_exec_per_sec:\s*\K[0-9]+' "$log" 2>/dev/null | tail -1)
    rss=$(grep -aoP 'stat::peak_rss_mb:\s*\K[0-9]+' "$log" 2>/dev/null | tail -1)
    coverage=$(grep -aoP '^#[0-9]+\s+\S+\s+cov: \K[0-9]+ ft: [0-9]+' "$log" 2>/dev/null | tail -1 | sed 's/ ft: /, /')
    [ -n "$rss" ] && [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    if [ -z "$runs" ] || [ -z "$speed" ]; then failed=1; break; fi
    done_runs=$((done_runs + runs))
    [ "$speed" -gt 0 ] && weighted_time=$((weighted_time + runs / speed))
    # timeout-* (over -timeout) and slow-unit-* (over 10 s but not stopped) are both checked again.
    timeouts=$(find "$out/$target/artifacts" -type f \( -name 'timeout-*' -o -name 'slow-unit-*' \))
    others=$(find "$out/$target/artifacts" -type f ! -name 'timeout-*' ! -name 'slow-unit-*' | wc -l)
    if [ "$others" -gt 0 ] || grep -aq 'runtime error:\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|ERROR: libFuzzer: \(deadly\|out-of-memory\|fuzz target\)' "$log"; then failed=1; break; fi
    [ -z "$timeouts" ] && break
    # A timeout: run its input again alone; one that ends within the limit was a pause.
    for input in $timeouts; do
      if (cd "$folder" && EDGELOOP_FUZZ_SCRATCH="$scratch" nice -n 19 "$binary" -timeout=5 -rss_limit_mb=2048 "$input" > "$folder/rerun.log" 2>&1); then
        mkdir -p "$out/$target/paused"; mv "$input" "$out/$target/paused/"; pauses=$((pauses + 1))
      else
        failed=1
      fi
    done
    [ "$failed" = 1 ] && break
    case "$mode" in
      --seconds) [ "$done_seconds" -ge "$amount" ] && break ;;
      --runs) [ "$done_runs" -ge "$amount" ] && break
              [ -n "${EDGELOOP_FUZZ_MAX_SECONDS:-}" ] && [ "$done_seconds" -ge "$EDGELOOP_FUZZ_MAX_SECONDS" ] && break ;;
    esac
  done
  runs=$done_runs rss=$peak_rss
  speed=$([ "$weighted_time" -gt 0 ] && echo $((done_runs / weighted_time)) || echo "${speed:-}")
  crashes=$(find "$out/$target/artifacts" -type f | wc -l)
  if [ "$failed" = 0 ] && [ "$crashes" -eq 0 ] && [ "$runs" -gt 0 ]; then
    verdict=ok
    [ "$pauses" -gt 0 ] && verdict="ok ($pauses timeouts were pauses: under $out/$target/paused)"
  else
    verdict="FAIL (see $log)"; status=1
    # CI keeps only what is printed: the report's first lines and, when small, the input itself.
    {
      echo "--- $target: $log"
      grep -a -m1 -A14 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:\|ERROR: libFuzzer' "$log" 2>/dev/null
      for input in $(find "$out/$target/artifacts" -type f -size -4k 2>/dev/null); do
        echo "input $(basename "$input") (base64):"; base64 -w 0 "$input"; echo
      done
    } >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "${runs:--}" "${speed:--}" "$crashes" "${coverage:--}" "${rss:--}" "$verdict"
done
echo "logs and any crashing inputs: $out" >&2
exit $status
