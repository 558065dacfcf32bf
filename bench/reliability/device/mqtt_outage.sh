#!/usr/bin/env bash
# MQTT across broker and device kills: the device publishes a prediction per frame at 10 frames/s
# to a real mosquitto; the broker is stopped and restarted 5 times and the device is killed
# (SIGKILL) 3 times: while the broker is away, while it sends its backlog, and mid-stream. A
# subscriber with a persistent session records every message with its arrival time. Counted by
# the "seq" each message carries: gaps (numbers never received), duplicates, messages left unsent
# in the queue folder at the end, the longest wait from the broker's return to the first
# message at the subscriber (which the restarted broker's replay of its stored messages can serve
# before the device is back), and the slowest reconnection of the device itself (target for both: a
# couple of seconds). Each outage ends once the device is back (up to 15 s), so "unsent at exit"
# tests the flush at exit. --short (RELIABILITY_SHORT=1): 2 broker restarts, 1 kill.
source "$(dirname "$0")/device_lib.bash"
scenario=device/mqtt_outage
make_bundle
port=$(free_port)
start_broker "$port"
# Every topic the device publishes on: "seq" numbers all of its messages (predictions, health,
# status), so counting one topic alone would see the others' numbers as gaps.
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'edgeloop/bench/#' -T 'edgeloop/bench/commands/#' -q 1 -c -i bench-subscriber -F '%U %p' \
  > "$work/received.log" 2> "$work/subscriber.log" &
started_pids+=($!)
sleep 0.5
printf 'mqtt:\n  persistence_dir: %s\n' "$work/queue" > "$work/edge.yaml"
device_pid=0
start_device() {
  "$edge_binary" --config "$work/edge.yaml" --bundle "$work/bundle" --source "$work/frames" --loop --fps 10 \
    --mqtt "tcp://127.0.0.1:$port" --device-id bench --no-stdout --no-http 2>> "$work/device.log" &
  device_pid=$!
  started_pids+=("$device_pid")
}
kill_device() {
  kill -9 "$device_pid" 2>/dev/null
  wait "$device_pid" 2>/dev/null
}
broker_back() {   # restarts the broker and notes when
  start_broker "$port"
  date +%s.%N >> "$work/broker_returns"
}
# The device's connections so far: one "connected to" line each in its log (every run appends).
connections() { grep -c 'mqtt: connected to' "$work/device.log"; }
# wait_for_reconnection COUNT_BEFORE: waits (up to 15 s) for a connection after the broker's last
# return and notes how long after the return it came ("inf" when it did not). Counted from the
# device's log, not from arrivals: the restarted broker replays what it had stored for the
# subscriber's persistent session, which arrives before the device is back.
: > "$work/reconnections"
wait_for_reconnection() {
  local before=$1 returned waited=inf
  returned=$(tail -1 "$work/broker_returns")
  for _ in $(seq 1 150); do
    if [ "$(connections)" -gt "$before" ]; then
      waited=$(/usr/bin/python3 -c "import time; print(round(time.time() - $returned, 2))"); break
    fi
    sleep 0.1
  done
  echo "$waited" >> "$work/reconnections"
}
: > "$work/broker_returns"
if [ "$short" = 1 ]; then cycles=2; run=3; down=2; else cycles=5; run=6; down=4; fi
start_device
sleep "$run"
kills=0
for cycle in $(seq 1 "$cycles"); do
  before=$(connections)
  stop_broker
  sleep "$down"
  if [ "$cycle" = 1 ]; then   # killed while the broker is away: its backlog is on disk only
    kill_device; kills=$((kills + 1)); start_device; sleep 1
  fi
  broker_back
  if [ "$cycle" = 2 ] && [ "$short" = 0 ]; then   # killed while it sends its backlog
    sleep 0.3; kill_device; kills=$((kills + 1)); start_device
  fi
  # Back on the broker before the next outage or the stop: "unsent at exit" then tests the flush
  # at exit, not whether the reconnection fell inside a fixed sleep.
  wait_for_reconnection "$before"
  sleep "$run"
  if [ "$cycle" = 3 ] && [ "$short" = 0 ]; then   # killed mid-stream, broker up
    kill_device; kills=$((kills + 1)); start_device; sleep "$run"
  fi
done
kill -TERM "$device_pid"; wait "$device_pid" 2>/dev/null   # SIGTERM: flush, then exit
sleep 2
unsent=$(find "$work/queue" -maxdepth 1 -name '*.msg' | wc -l)
# What the device and the broker said, for the scenario's log (run.sh shows it when a row fails).
{ echo "-- device log (last 40 lines)"; tail -40 "$work/device.log"; echo "-- broker log (last 20 lines)"; tail -20 "$work/broker/log"
  echo "-- broker returns"; cat "$work/broker_returns"
  echo "-- device reconnections, seconds after each return"; cat "$work/reconnections"; } >&2
python3 - "$work/received.log" "$work/broker_returns" "$scenario" "$kills" "$cycles" "$unsent" "$work/reconnections" <<'PY'
import json, sys
log, returns_file, scenario, kills, cycles, unsent = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
reconnections = [float(value) for value in open(sys.argv[7]).read().split()]
arrivals = []
for line in open(log):
    stamp, _, payload = line.strip().partition(" ")
    try:
        arrivals.append((float(stamp), json.loads(payload)["seq"]))
    except (ValueError, KeyError):
        pass
sequences = [seq for _, seq in arrivals]
unique = set(sequences)
gaps = (max(unique) - min(unique) + 1 - len(unique)) if unique else -1
duplicates = len(sequences) - len(unique)
returns = [float(value) for value in open(returns_file).read().split()]
waits = []
for returned in returns:
    after = [stamp for stamp, _ in arrivals if stamp >= returned]
    waits.append(min(after) - returned if after else float("inf"))
worst = max(waits) if waits else float("nan")
def row(metric, value, target, ok):
    print(f"{scenario}\t{metric}\t{value}\t{target}\t{'ok' if ok else 'FAIL'}")
row("broker restarts / device kills", f"{cycles} / {kills}", "5 / 3 (short: 2 / 1)", True)
row("messages received (unique)", len(unique), "> 0", len(unique) > 0)
row("gaps (seq never received)", gaps, "0", gaps == 0)
row("duplicates (dropped by seq)", duplicates, "counted", True)
row("unsent in the queue at exit", unsent, "0", unsent == 0)
row("worst wait broker return -> first message (s)", f"{worst:.2f}", "<= 3 s", worst <= 3.0)
slowest = max(reconnections) if reconnections else float("inf")
row("slowest device reconnection after a broker return (s)", f"{slowest:.2f}", "<= 3 s", slowest <= 3.0)
PY
