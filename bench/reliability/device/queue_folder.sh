#!/usr/bin/env bash
# Start-up whatever is in the MQTT queue folder: stray files (notes.txt, a 0-byte message, random
# bytes named as a message, a foreign folder, many junk files), or the folder replaced by a file.
# For each case: seconds from launch to the first prediction line, entries moved aside, and
# whether the messages left by the previous run still arrive. Target: start within 5 s.
source "$(dirname "$0")/device_lib.bash"
scenario=device/queue_folder
make_bundle
port=$(free_port)
start_broker "$port"
junk_files=$([ "$short" = 1 ] && echo 50 || echo 1000)

# Seconds until the device writes its first prediction line; the device is then stopped.
time_to_first_frame() {
  local output="$work/out.jsonl"
  : > "$output"
  local start
  start=$(date +%s.%N)
  "$edge_binary" --config "$work/edge.yaml" --bundle "$work/bundle" --source "$work/frames" --loop --fps 20 \
    --mqtt "tcp://127.0.0.1:$port" --device-id bench --no-http -q > "$output" 2>> "$work/device.log" &
  local pid=$!
  started_pids+=("$pid")
  local elapsed=timeout
  for _ in $(seq 1 300); do
    if [ -s "$output" ]; then elapsed=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')"); break; fi
    if ! kill -0 "$pid" 2>/dev/null; then elapsed=exited; break; fi
    sleep 0.05
  done
  sleep 1   # let it connect and send what the folder held
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "$elapsed"
}

check_case() {   # check_case NAME
  local elapsed
  elapsed=$(time_to_first_frame)
  local ok=0
  [[ "$elapsed" =~ ^[0-9.]+$ ]] && python3 -c "import sys; sys.exit(0 if $elapsed <= 5 else 1)" && ok=1
  row "$scenario" "$1: start (s)" "$elapsed" "<= 5 s" "$ok"
}

printf 'mqtt:\n  persistence_dir: %s\n' "$work/queue" > "$work/edge.yaml"
check_case "empty folder"

mkdir -p "$work/queue/edgeloop-bench-tcp127.0.0.1-1883"
echo "left by an operator" > "$work/queue/notes.txt"
: > "$work/queue/00000000000000000042.msg"
head -c 4096 /dev/urandom > "$work/queue/00000000000000000043.msg"
for index in $(seq 1 "$junk_files"); do head -c 64 /dev/urandom > "$work/queue/junk-$index"; done
check_case "stray files ($((junk_files + 4)) entries)"
moved=$(find "$work/queue/unreadable" -mindepth 1 -maxdepth 1 | wc -l)
row "$scenario" "stray entries moved aside" "$moved" "$((junk_files + 4))" "$([ "$moved" = $((junk_files + 4)) ] && echo 1 || echo 0)"

rm -rf "$work/queue" && echo "not a folder" > "$work/queue"
check_case "folder replaced by a file"
aside=$(find "$work" -maxdepth 1 -name 'queue.unreadable-*' | wc -l)
row "$scenario" "file moved aside" "$aside" "1" "$([ "$aside" = 1 ] && echo 1 || echo 0)"

echo "garbage" > "$work/queue/sequence"
check_case "damaged counter"
