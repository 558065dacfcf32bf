# Helpers for the device scenarios in this folder (sourced, not run: the runner picks up *.sh).
# Each scenario prints TSV rows  scenario<TAB>metric<TAB>value<TAB>target<TAB>ok|FAIL  on stdout;
# everything else goes to stderr. Environment: EDGELOOP_BUILD_DIR, RELIABILITY_SHORT=1 for CI.
set -uo pipefail
build_dir=${EDGELOOP_BUILD_DIR:?set EDGELOOP_BUILD_DIR to the build folder}
short=${RELIABILITY_SHORT:-0}
edge_binary="$build_dir/src/edged/edgeloop-edge"
work=$(mktemp -d /tmp/edgeloop-device-XXXXXX)
started_pids=()

cleanup() {
  for pid in "${started_pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# row SCENARIO METRIC VALUE TARGET_TEXT OK(0|1)
row() {
  local verdict=FAIL
  [ "$5" = 1 ] && verdict=ok
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$verdict"
}

# A bundle with random weights in $work/bundle and 20 PNG frames in $work/frames.
make_bundle() {
  "$build_dir/bench/edge/write_random_bundle" "$work/bundle" "$work/frames" 20 >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT [SECONDS]: 0 once something accepts connections on the loopback port.
wait_for_port() {
  python3 - "$1" "${2:-10}" <<'PY'
import socket, sys, time
port, deadline = int(sys.argv[1]), time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.02)
sys.exit(1)
PY
}

# start_streaming_device SOURCE OUTPUT [ARGS...]: edgeloop-edge on $work/bundle, SOURCE looped at
# 50 frames/s, HTTP on a free loopback port, ARGS added; predictions to OUTPUT, logs appended to
# $work/device.log. Sets port and device_pid, and returns once the port accepts connections.
start_streaming_device() {
  local source=$1 output=$2
  shift 2
  port=$(free_port)
  "$edge_binary" --bundle "$work/bundle" --source "$source" --loop --fps 50 --http-port "$port" "$@" \
    > "$output" 2>> "$work/device.log" &
  device_pid=$!
  started_pids+=("$device_pid")
  wait_for_port "$port" 30
}

# start_broker PORT: mosquitto on loopback with on-disk persistence in $work/broker; sets broker_pid.
start_broker() {
  mkdir -p "$work/broker"
  # user: as root, mosquitto would switch to the `mosquitto` user, which cannot write its
  # persistence file here, and every restart would lose the queued messages ("Permission denied").
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nuser %s\npersistence true\npersistence_location %s/\nmax_queued_messages 100000\n' \
    "$1" "$(id -un)" "$work/broker" > "$work/broker/mosquitto.conf"
  mosquitto -c "$work/broker/mosquitto.conf" >> "$work/broker/log" 2>&1 &
  broker_pid=$!
  started_pids+=("$broker_pid")
  wait_for_port "$1" 10 || echo "mosquitto did not start on port $1" >&2
}

stop_broker() {
  kill -TERM "$broker_pid" 2>/dev/null
  wait "$broker_pid" 2>/dev/null
}

# rss_kb PID: resident set size in kB.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
