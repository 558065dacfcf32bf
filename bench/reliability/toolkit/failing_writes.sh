#!/usr/bin/env bash
# A disk that fails at any moment (issue 17): the failing-write shim (LD_PRELOAD
# libedgeloop_fail_io.so) fails the Nth write, fsync or rename under the work folder, for every N an
# import and an export make (a spread of 20 N each with RELIABILITY_SHORT=1). After each failure:
# the command either completed or exited 6 with one line saying "disk is full" or "I/O error"
# (never "corrupt", never an internal error), the registry passes integrity_check, nothing is left
# behind after the sweep, the bundle folder is the old bundle, whole, and a re-run completes.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
shim="$EDGELOOP_BUILD_DIR/bench/reliability/libedgeloop_fail_io.so"
[ -e "$shim" ] || { echo "missing $shim: build the target edgeloop_fail_io" >&2; exit 1; }
work=$(mktemp -d /tmp/edgeloop-failio-XXXXXX)
trap 'rm -rf "$work"' EXIT
ws="$work/ws"
bundle="$work/out/tiny.bundle"
e() { "$edgeloop" -q --threads 1 --workspace "$ws" "$@"; }
# failing N OP COMMAND...: runs COMMAND with the Nth OP under $work failing (ENOSPC; EIO for fsync).
failing() {
  local n=$1 op=$2
  shift 2
  EDGELOOP_FAIL_UNDER="$work" EDGELOOP_FAIL_N="$n" EDGELOOP_FAIL_OP="$op" EDGELOOP_FAIL_COUNT="$work/count" \
    LD_PRELOAD="$shim" "$@"
}

make_idx "$work/idx" 60
"$edgeloop" -q init "$ws" > /dev/null || exit 1
unclear=0; integrity_failures=0; orphans=0; rerun_failures=0; bad_bundles=0; failures=0

# judge STATUS STDERR_FILE: counts a failure that is not exit 6 with one clear line.
judge() {
  local status=$1 stderr=$2
  [ "$status" = 0 ] && return
  failures=$((failures + 1))
  if [ "$status" != 6 ] || [ "$(grep -c . "$stderr")" != 1 ] || ! grep -qE 'disk is full|I/O error' "$stderr"; then
    unclear=$((unclear + 1))
    echo "unclear failure (exit $status): $(head -3 "$stderr")" >&2
  fi
}

# points TOTAL: the N to try (every one, or 20 spread over TOTAL in the short run).
points() {
  local total=$1
  if [ "$short" = 1 ] && [ "$total" -gt 20 ]; then
    /usr/bin/python3 -c "print(' '.join(str(1 + i * ($total - 1) // 19) for i in range(20)))"
  else
    seq 1 "$total"
  fi
}

# --- import into a fresh workspace each time, so every run writes the same objects and rows
fresh="$work/fresh"
fresh_workspace() { rm -rf "$fresh"; "$edgeloop" -q init "$fresh" > /dev/null; }
f() { "$edgeloop" -q --threads 1 --workspace "$fresh" "$@"; }
fresh_workspace
failing 0 any f data import "$work/idx" --name digits --format idx > /dev/null 2>&1
import_ops=$(cat "$work/count" 2>/dev/null || echo 0)
for n in $(points "$import_ops"); do
  fresh_workspace
  failing "$n" any f data import "$work/idx" --name digits --format idx > /dev/null 2> "$work/stderr"
  judge $? "$work/stderr"
  integrity_ok "$fresh" || integrity_failures=$((integrity_failures + 1))
  f data import "$work/idx" --name digits --format idx > /dev/null 2>&1 || rerun_failures=$((rerun_failures + 1))
  orphans=$((orphans + $(leftovers "$fresh/.edgeloop") + $(unregistered_objects "$fresh")))
done
e data import "$work/idx" --name probe --format idx > /dev/null 2>&1 || { echo "import failed" >&2; exit 1; }

# --- export --force over a good bundle
e data split probe --val 0.2 --test 0.1 > /dev/null 2>&1
e train --data probe --arch cnn-s --epochs 1 --batch 32 > /dev/null 2>&1 || { echo "training failed" >&2; exit 1; }
model=$(e models list --trained --json 2> /dev/null | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); m=d if isinstance(d,list) else d.get("models",[]); print(m[-1]["model"] if m else "")')
mkdir -p "$work/out"
export_command=(e export "$model" --out "$bundle" --force --parity-images 4 --reference-images 20)
"${export_command[@]}" > /dev/null 2>&1 || { echo "the first export failed" >&2; exit 1; }
failing 0 any "${export_command[@]}" > /dev/null 2>&1
export_ops=$(cat "$work/count" 2>/dev/null || echo 0)
for n in $(points "$export_ops"); do
  failing "$n" any "${export_command[@]}" > /dev/null 2> "$work/stderr"
  judge $? "$work/stderr"
  e bundle verify "$bundle" > /dev/null 2>&1 || bad_bundles=$((bad_bundles + 1))
  "${export_command[@]}" > /dev/null 2>&1 || rerun_failures=$((rerun_failures + 1))
  orphans=$((orphans + $(leftovers "$work/out" "$ws/.edgeloop")))
done

# No operation counted means the shim did not see the command (not loaded, or no count written):
# nothing was tested, which is a failure of the scenario, not a pass.
row failing-writes "import operations failed one by one (of $import_ops)" "$(points "$import_ops" | wc -w)" "every N, > 0" $((import_ops > 0))
row failing-writes "export operations failed one by one (of $export_ops)" "$(points "$export_ops" | wc -w)" "every N, > 0" $((export_ops > 0))
row failing-writes "runs that failed (the rest absorbed the fault)" "$failures" "-" 1
row failing-writes "failures without exit 6 + one disk line" "$unclear" 0 $((unclear == 0))
row failing-writes "integrity_check failures" "$integrity_failures" 0 $((integrity_failures == 0))
row failing-writes "bundles not whole after a failed export" "$bad_bundles" 0 $((bad_bundles == 0))
row failing-writes "leftovers after the sweep" "$orphans" 0 $((orphans == 0))
row failing-writes "re-runs that did not complete" "$rerun_failures" 0 $((rerun_failures == 0))
