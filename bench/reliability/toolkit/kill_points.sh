#!/usr/bin/env bash
# kill -9 at many moments of `data import`, `data split`, `train` and `export --force` (issue 17).
# After each kill: the registry passes integrity_check and foreign_key_check, nothing is left
# behind once the next command has swept (temporary files, staging folders, unregistered objects),
# the bundle folder is whole (the old bundle or the new one verifies), and a re-run completes.
# Points: 550 tried in the full run (220 import, 110 each for the others; a command that ends before
# its kill is not counted), at least 500 killed; 37 tried with RELIABILITY_SHORT=1, at least 32.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
work=$(mktemp -d /tmp/edgeloop-kill-XXXXXX)
trap 'rm -rf "$work"' EXIT
ws="$work/ws"
bundle="$work/out/tiny.bundle"
e() { "$edgeloop" -q --threads 1 --workspace "$ws" "$@"; }

if [ "$short" = 1 ]; then points_import=14; points_split=9; points_train=7; points_export=7
else points_import=220; points_split=110; points_train=110; points_export=110; fi

make_idx "$work/idx" 400
"$edgeloop" -q init "$ws" > /dev/null || exit 1
kills=0; integrity_failures=0; orphans=0; rerun_failures=0; half_bundles=0

# check_after_kill SWEEPING_COMMAND...: runs a command that opens the workspace (and so sweeps),
# then counts integrity failures and leftovers.
check_after_kill() {
  "$@" > /dev/null 2>&1
  integrity_ok "$ws" || integrity_failures=$((integrity_failures + 1))
  orphans=$((orphans + $(leftovers "$ws/.edgeloop")))
}

# kill_at_points N COMMAND...: kills COMMAND at N moments spread over its measured duration.
kill_at_points() {
  local count=$1 stage=$2
  shift 2
  local duration stage_kills=0
  # Timed from the state every point starts from, the command completed once: the first import
  # stores the objects every later one finds (1.5 s, then 0.9 s here), and points spread over the
  # first run fell after the later runs had ended (464 of 550 killed in a full run).
  "$@" > /dev/null 2>&1
  duration=$(seconds_of "$@")
  for ((point = 0; point < count; point++)); do
    local delay
    # Spread over the first 90% of the measured duration: a re-run on a machine whose load fell
    # may end sooner than the measurement, and a command that ends before its kill is not counted.
    delay=$(/usr/bin/python3 -c "print(round(0.9 * $duration * ($point + 0.5) / $count, 3))")
    kill_after "$delay" "$@" && kills=$((kills + 1)) && stage_kills=$((stage_kills + 1))
    check_after_kill e data list
    rerun_"$stage" || rerun_failures=$((rerun_failures + 1))
  done
  echo "$stage: $stage_kills of $count killed (a run took $duration s)" >&2
}

rerun_import() {
  e data import "$work/idx" --name digits --format idx > /dev/null 2>&1 || return 1
  # the import sweeps what a killed import stored but never registered
  orphans=$((orphans + $(unregistered_objects "$ws")))
}
rerun_split() { e data split digits --val 0.2 --test 0.1 > /dev/null 2>&1; }
rerun_train() { e train --data digits --arch cnn-s --epochs 2 --batch 64 --resume > /dev/null 2>&1 || e train --data digits --arch cnn-s --epochs 2 --batch 64 > /dev/null 2>&1; }
rerun_export() {
  e export "$model" --out "$bundle" --force --parity-images 4 --reference-images 40 > /dev/null 2>&1 || return 1
  orphans=$((orphans + $(leftovers "$work/out")))
}

kill_at_points "$points_import" import e data import "$work/idx" --name digits --format idx
kill_at_points "$points_split" split e data split digits --val 0.2 --test 0.1
kill_at_points "$points_train" train e train --data digits --arch cnn-s --epochs 2 --batch 64
model=$(e models list --trained --json 2> /dev/null | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); m=d if isinstance(d,list) else d.get("models",[]); print(m[-1]["model"] if m else "")')
if [ -z "$model" ]; then echo "no trained model to export" >&2; exit 1; fi
mkdir -p "$work/out"
rerun_export || { echo "the first export failed" >&2; exit 1; }
export_kills=0
duration=$(seconds_of e export "$model" --out "$bundle" --force --parity-images 4 --reference-images 40)
for ((point = 0; point < points_export; point++)); do
  delay=$(/usr/bin/python3 -c "print(round(0.9 * $duration * ($point + 0.5) / $points_export, 3))")
  kill_after "$delay" e export "$model" --out "$bundle" --force --parity-images 4 --reference-images 40 && kills=$((kills + 1)) &&
    export_kills=$((export_kills + 1))
  e bundle verify "$bundle" > /dev/null 2>&1 || half_bundles=$((half_bundles + 1))
  check_after_kill e data list
  rerun_export || rerun_failures=$((rerun_failures + 1))
done
echo "export: $export_kills of $points_export killed (a run took $duration s)" >&2

target_points=500; [ "$short" = 1 ] && target_points=32
row kill-9 "kill points (import, split, train, export)" "$kills" ">= $target_points" $((kills >= target_points))
row kill-9 "integrity_check failures" "$integrity_failures" 0 $((integrity_failures == 0))
row kill-9 "leftovers after the sweep" "$orphans" 0 $((orphans == 0))
row kill-9 "half-written bundles" "$half_bundles" 0 $((half_bundles == 0))
row kill-9 "re-runs that did not complete" "$rerun_failures" 0 $((rerun_failures == 0))
