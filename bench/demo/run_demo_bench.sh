#!/usr/bin/env bash
# Issue 13's demo and sweep targets on this 2-core machine:
#   1. the demo (`make demo` runs `edgeloop quickstart --minutes 10 --loop --oracle`) with a CPU-bound process
#      pinned to core 0 for the whole run: wall time (target <= 10 min) and the pick's official
#      test accuracy (target >= 91%); the demo's own lines (one per stage, one per sweep rung) are
#      kept in the log. Without the hog too with --idle-demo.
#   2. with --sweeps N: `edgeloop sweep --data fmnist --budget-minutes 6` N times without the hog, then
#      N times with it, in one workspace: the pick of each (target: the same architecture every
#      time). Idle first: a sweep plans on the fastest step costs the workspace has seen on this
#      machine (src/edgeloop/train/step_cost_memory.h), as a user's workspace has seen it idle.
# Usage: bench/demo/run_demo_bench.sh [BUILD_DIR] [--sweeps N] [--idle-demo] [--no-demo]
# Prints one line per figure with the 1-minute load average beside it (other engineers share the
# machine: the load average says how busy it was besides the hog).
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir="$source_dir/build"
sweeps=0
idle_demo=0
demo=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sweeps) sweeps="$2"; shift ;;
    --idle-demo) idle_demo=1 ;;
    --no-demo) demo=0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) build_dir=$(cd "$1" && pwd) ;;
  esac
  shift
done
edgeloop="$build_dir/src/cli/edgeloop"
edge="$build_dir/src/edged/edgeloop-edge"
scratch="$(mktemp -d /tmp/edgeloop-demo-bench-XXXXXX)"
hog_pid=""
start_hog() { taskset -c 0 sh -c 'while :; do :; done' & hog_pid=$!; }
stop_hog() { if [ -n "$hog_pid" ]; then kill "$hog_pid" 2>/dev/null || true; wait "$hog_pid" 2>/dev/null || true; hog_pid=""; fi; }
trap 'stop_hog; rm -rf "$scratch"' EXIT
load() { cut -d' ' -f1 /proc/loadavg; }
field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

demo_run() {   # $1: label (with hog / idle)
  local dir="$scratch/demo-$RANDOM" started ended
  local load_before; load_before=$(load)
  started=$(date +%s.%N)
  # What `make demo` runs (scripts/demo.sh): the quickstart and the loop on the device's captures.
  "$edgeloop" --json quickstart --dir "$dir" --minutes 10 --edge-binary "$edge" --loop --oracle >"$dir.json" 2>"$dir.log"
  ended=$(date +%s.%N)
  local seconds; seconds=$(/usr/bin/python3 -c "print(round($ended - $started))")
  echo "--- demo lines ($1), as a newcomer sees them without a terminal:"
  grep -E '^(== quickstart|sweep:)' "$dir.log" || true
  echo "demo $1: $(field '"picked " + d["picked_arch"] + ", official test " + format(d["test_accuracy"]*100, ".2f") + "% (target >= 91%), val " + format(d["val_accuracy"]*100, ".2f") + "%"' <"$dir.json"), wall ${seconds} s (target <= 600 s); load average $load_before at the start, $(load) at the end"
}

if [ "$demo" = 1 ]; then
  start_hog
  demo_run "with a one-core hog"
  stop_hog
  if [ "$idle_demo" = 1 ]; then demo_run "without the hog"; fi
fi

if [ "$sweeps" -gt 0 ]; then
  workspace="$scratch/sweeps"
  "$edgeloop" --workspace "$workspace" --quiet init "$workspace" >/dev/null
  "$edgeloop" --workspace "$workspace" --quiet data import /usr/share/datasets/fashion-mnist --name fmnist >/dev/null
  "$edgeloop" --workspace "$workspace" --quiet data split fmnist --keep-origin-test official --val 0.1 >/dev/null
  for hog in without with; do
    for attempt in $(seq 1 "$sweeps"); do
      [ "$hog" = with ] && start_hog
      local_load=$(load)
      started=$(date +%s)
      pick=$("$edgeloop" --workspace "$workspace" --quiet --json sweep --data fmnist --budget-minutes 6 \
        | field '[r["arch"] + " " + format(r["val_accuracy"]*100, ".2f") + "% rung " + str(r["rung"]) + "/" + str(r["rungs"]) for r in d["rows"] if r["pick"]][0] + " | " + d["plan"]')
      stop_hog
      echo "sweep --budget-minutes 6, $hog the hog, run $attempt: pick $pick; wall $(( $(date +%s) - started )) s; load average $local_load at the start"
    done
  done
fi
