#!/usr/bin/env bash
# Issue 12's rollout target: a promoted model reaches the device's stream within 1 s with no
# dropped frame. Two real models (cnn-s, trained briefly on Fashion-MNIST: the champion, and a
# challenger with another seed), each exported with int8; edgeloop-edge serves the champion on
# the `sim:` image pack of fmnist's test images at 30 frames/s with HTTP on loopback; `edgeloop bundle push` sends the
# challenger. Printed: the push (bytes, seconds), the swap's answer, the first prediction of the
# new model after the push's POST, frames dropped or missing across the swap (frame indices in
# the JSONL), and the device's probation verdict.
# Usage: bench/loop/run_rollout_bench.sh [BUILD_DIR] [WORKSPACE_WITH_fmnist_SPLIT] [TRAIN_SECONDS]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$(cd "${1:-$source_dir/build}" && pwd)
workspace=${2:-}
train_seconds=${3:-40}
edgeloop="$build_dir/src/cli/edgeloop"
edge="$build_dir/src/edged/edgeloop-edge"
scratch=$(mktemp -d /tmp/edgeloop-rollout-XXXXXX)
device_pid=""
trap '[ -n "$device_pid" ] && kill "$device_pid" 2>/dev/null; rm -rf "$scratch"' EXIT
if [ -z "$workspace" ]; then
  workspace="$scratch/ws"
  "$edgeloop" -q init "$workspace"
  "$edgeloop" -q --workspace "$workspace" data import /usr/share/datasets/fashion-mnist --name fmnist
  "$edgeloop" -q --workspace "$workspace" data split fmnist --val 0.1 --test 0.1
fi
e() { "$edgeloop" -q --workspace "$workspace" "$@"; }
model_of() { /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["model"])'; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
champion=$(e train --data fmnist --arch cnn-s --max-seconds "$train_seconds" --seed 1 --json | model_of)
challenger=$(e train --data fmnist --arch cnn-s --max-seconds "$train_seconds" --seed 2 --json | model_of)
e export "$champion" --int8 --out "$scratch/champion.bundle" > /dev/null
e export "$challenger" --int8 --out "$scratch/challenger.bundle" > /dev/null
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
e data export fmnist:test --out "$scratch/test.pack" > /dev/null
(cd "$scratch" && exec "$edge" --bundle "$scratch/champion.bundle" --source "sim:$scratch/test.pack" \
  --loop --fps 30 --http-port "$port" --jsonl "$scratch/frames.jsonl" --no-stdout -q 2> "$scratch/device.log") &
device_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.1; done
sleep 3   # the champion's baseline frames for the probation
pushed_at=$(date +%s%3N)
"$edgeloop" bundle push "$scratch/challenger.bundle" --device "http://127.0.0.1:$port" --json > "$scratch/push.json"
sleep 1
kill "$device_pid"; wait "$device_pid" 2>/dev/null || true; device_pid=""
/usr/bin/python3 - "$scratch/frames.jsonl" "$scratch/push.json" "$pushed_at" "$champion" "$challenger" <<'PY'
import json, sys
frames_file, push_file, pushed_at, champion, challenger = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
push = json.load(open(push_file))
rows = [json.loads(line) for line in open(frames_file) if line.startswith("{")]
predictions = [row for row in rows if "model_id" in row and "frame" in row]
first_new = next((row for row in predictions if row["model_id"] == challenger), None)
# Across the swap: the last champion frame and the first challenger frame are neighbours (looped
# source: the frame index keeps counting).
last_old = max((row["frame"] for row in predictions if row["model_id"] == champion), default=None)
indices = [row["frame"] for row in predictions]
missing = sum(b - a - 1 for a, b in zip(indices, indices[1:]) if b > a + 1)
print(f"push: {push['bytes_sent'] / 1024:.1f} KB in {push['push_seconds']:.3f} s; swap answered in {push['swap_seconds']:.3f} s; result {push['result']} {push['reason']}")
if first_new:
    # "ts" is the frame's capture time: frames already queued when the swap lands run the new
    # model too, so this can be below 0.
    print(f"first prediction of the new model: its frame captured {(first_new['ts'] - push['swap_requested_at_ms']) / 1000:.3f} s "
          f"after the swap request (target <= 1 s); the CLI started {(push['swap_requested_at_ms'] - pushed_at) / 1000:.2f} s before that request")
    print(f"frames across the swap: last champion frame {last_old}, first challenger frame {first_new['frame']}; "
          f"frames missing in the whole stream: {missing} (target 0)")
else:
    print("the new model never predicted")
print(f"probation verdict: {json.dumps(push.get('verdict'))}")
PY
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
