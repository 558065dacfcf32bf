#!/usr/bin/env bash
# `make reliability`: runs every scenario script bench/reliability/*/*.sh (toolkit/ and device/)
# and prints ONE table of what they measured. Each script prints TSV rows
#   scenario<TAB>metric<TAB>value<TAB>target<TAB>ok|FAIL
# on stdout (anything else it prints goes to the log). Exit status 1 when a row is FAIL or a script
# fails.
#   bash bench/reliability/run.sh [--short] [--timing-advisory] [BUILD_DIR]
# --short: the CI size (a few minutes in all); the scripts read RELIABILITY_SHORT=1.
# --timing-advisory: a FAIL row whose target is a time ("<= 5 s", "<= 100 ms") is shown as "slow"
# and does not fail the run. CI uses it: on a shared runner a time says how busy the runner was, and
# the house keeps timed asserts out of the checks that gate a landing; every other row still does.
# Scripts get EDGELOOP_BUILD_DIR and EDGELOOP_SOURCE_DIR in their environment.
set -uo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
short=0
timing_advisory=0
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=1; shift ;;
    --timing-advisory) timing_advisory=1; shift ;;
    *) break ;;
  esac
done
build_dir=$(cd "${1:-$source_dir/build}" && pwd)
log_dir=$(mktemp -d /tmp/edgeloop-reliability-XXXXXX)
rows="$log_dir/rows.tsv"
: > "$rows"
status=0
for script in "$source_dir"/bench/reliability/*/*.sh; do
  [ -e "$script" ] || continue
  name=$(basename "$(dirname "$script")")/$(basename "$script" .sh)
  started=$(date +%s)
  echo "== $name (log: $log_dir/${name//\//_}.log)" >&2
  RELIABILITY_SHORT=$short EDGELOOP_BUILD_DIR="$build_dir" EDGELOOP_SOURCE_DIR="$source_dir" \
    bash "$script" > "$log_dir/${name//\//_}.out" 2> "$log_dir/${name//\//_}.log"
  script_status=$?
  grep -P '^[^\t]+\t[^\t]+\t[^\t]*\t[^\t]*\t(ok|FAIL)$' "$log_dir/${name//\//_}.out" >> "$rows"
  if grep -qP '\tFAIL$' "$log_dir/${name//\//_}.out"; then   # a CI log keeps only what is printed
    echo "$name: a row failed; the end of its log:" >&2
    tail -30 "$log_dir/${name//\//_}.log" >&2
  fi
  if [ $script_status -ne 0 ]; then
    printf '%s\texit status\t%s\t0\tFAIL\n' "$name" "$script_status" >> "$rows"
    tail -5 "$log_dir/${name//\//_}.log" >&2
  fi
  printf '%s\tseconds\t%s\t-\tok\n' "$name" "$(( $(date +%s) - started ))" >> "$rows"
done
if [ $timing_advisory = 1 ]; then
  awk -F'\t' -v OFS='\t' '$5 == "FAIL" && $4 ~ /[0-9.]+ ?(ms|s)$/ && $3 != "inf" {$5 = "slow"} {print}' "$rows" > "$rows.advisory"
  mv "$rows.advisory" "$rows"
fi
echo "reliability ($([ $short = 1 ] && echo short || echo full)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
{ printf 'scenario\tmetric\tvalue\ttarget\tresult\n'; cat "$rows"; } | column -t -s $'\t'
if grep -qP '\tFAIL$' "$rows"; then status=1; fi
echo "logs: $log_dir"
exit $status
