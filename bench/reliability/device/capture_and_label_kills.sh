#!/usr/bin/env bash
# kill -9 where the loop comes back from the device (issue 17): the device capturing every frame
# (EDGELOOP_LOW_CONFIDENCE=1, 50 frames/s) killed at moments spread over its first second of
# streaming, then `edgeloop label` killed while a client labels through its HTTP API (one request at
# a time, as the page does). Points: 60 each (short: 5).
# After the capture kills and one more start (the start-up sweep): no capture image without its
# sidecar, no temporary file, every sidecar parses and names its image, and `data import --format
# capture` takes the folder with nothing rejected. After every labelling kill: the registry passes
# integrity_check, and on restart every label the server acknowledged is there (GET /api/state);
# at the end `label --accept-above 0` makes the version. With the edgeloop-edge of 2e9ff75 (before
# the capture store swept at start) the short run fails: a temporary file stays after the restart.
source "$(dirname "$0")/device_lib.bash"
source "$(dirname "$0")/../lib.sh"   # edgeloop, integrity_ok
if [ "$short" = 1 ]; then points=5; else points=60; fi

"$build_dir/bench/edge/write_random_bundle" "$work/bundle" "$work/frames" 400 >&2
captures="$work/captures"

# --- capture
# capture_folder_state: "orphans temporaries bad sidecars" of the capture folder: capture images
# without their sidecar, temporary files of atomic writes, sidecars that do not parse or name a
# missing image, and sidecars.
capture_folder_state() {
  /usr/bin/python3 - "$captures" <<'PY'
import json, os, re, sys
folder = sys.argv[1]
names = os.listdir(folder)
stems = {os.path.splitext(n)[0] for n in names if re.fullmatch(r"\d{13}-\d{9}\.json", n)}
orphans = [n for n in names if re.fullmatch(r"\d{13}-\d{9}\.png", n) and os.path.splitext(n)[0] not in stems]
temporaries = [n for n in names if n.startswith(".")]
bad = 0
for stem in stems:
    try:
        note = json.load(open(os.path.join(folder, stem + ".json")))
        bad += not os.path.exists(os.path.join(folder, note["image"]))
    except Exception:
        bad += 1
print(len(orphans), len(temporaries), bad, len(stems))
PY
}
capture_kills=0; left_by_kills=0
for ((point = 0; point < points; point++)); do
  EDGELOOP_LOW_CONFIDENCE=1 start_streaming_device "$work/frames" /dev/null --capture-dir "$captures" --no-stdout \
    || echo "the device did not open its port" >&2
  sleep "$(/usr/bin/python3 -c "print(round(0.05 + 0.95 * ($point + 0.5) / $points, 3))")"
  kill -9 "$device_pid" 2> /dev/null && capture_kills=$((capture_kills + 1))
  wait "$device_pid" 2> /dev/null
  # What this kill left for the next start's sweep: temporary files, images without their sidecar.
  read -r orphans temporaries _ _ < <(capture_folder_state)
  left_by_kills=$((left_by_kills + orphans + temporaries))
done
EDGELOOP_LOW_CONFIDENCE=0 start_streaming_device "$work/frames" /dev/null --capture-dir "$captures" --no-stdout
kill -TERM "$device_pid"; wait "$device_pid" 2> /dev/null
read -r orphans temporaries bad_sidecars sidecars < <(capture_folder_state)
"$edgeloop" -q init "$work/ws" > /dev/null
for class in 0 1 2 3 4 5 6 7 8 9; do mkdir -p "$work/named/class_$class"; cp "$work/frames/frame_000$class.png" "$work/named/class_$class/"; done
"$edgeloop" -q --workspace "$work/ws" data import "$work/named" --name named > /dev/null
"$edgeloop" -q --workspace "$work/ws" --json data import "$captures" --format capture --name caps > "$work/import.json" 2> "$work/import.err"
import_status=$?
rejected=$(/usr/bin/python3 -c "import json; print(len(json.load(open('$work/import.json'))['rejects']))" 2> /dev/null || echo none)
echo "captures: $capture_kills kills, $sidecars captures" >&2
row "kill-9 capture" "kill points (device capturing every frame)" "$capture_kills" "$points" $((capture_kills == points))
row "kill-9 capture" "temporary files and sidecar-less images the kills left (swept at the next start)" "$left_by_kills" counted 1
row "kill-9 capture" "capture images without their sidecar after the start-up sweep" "$orphans" 0 $((orphans == 0))
row "kill-9 capture" "temporary files after the start-up sweep" "$temporaries" 0 $((temporaries == 0))
row "kill-9 capture" "sidecars that do not parse or name a missing image (of $sidecars)" "$bad_sidecars" 0 $((bad_sidecars == 0))
row "kill-9 capture" "data import --format capture: exit status (rejected)" "$import_status ($rejected)" "0 (0)" \
  $((import_status == 0 && ${rejected/none/1} == 0))

# --- labelling
label_kills=0; lost=0; integrity_failures=0; acknowledged_total=0
label_port=$(free_port)
start_label_server() {
  "$edgeloop" -q --workspace "$work/ws" label caps --classes named --port "$label_port" --labeller bench \
    > /dev/null 2>> "$work/label.log" &
  label_pid=$!
  started_pids+=("$label_pid")
  wait_for_port "$label_port" 30
}
# label_client ROUND: labels every item in turn (the suggestion shifted by ROUND, so each round
# changes every label) and appends "hash label" to $work/acked after each acknowledged request.
label_client() {
  /usr/bin/python3 - "$label_port" "$1" "$work/acked" <<'PY'
import json, sys, urllib.request
port, round_, acked = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "a")
base = "http://127.0.0.1:%s" % port
try:
    state = json.load(urllib.request.urlopen(base + "/api/state", timeout=5))
    for index, item in enumerate(state["items"]):
        label = (max(item[2], 0) + round_) % len(state["classes"])
        body = json.dumps({"operation": "r%d-%d" % (round_, index), "hash": item[0], "label": label}).encode()
        request = urllib.request.Request(base + "/api/label", body, {"Content-Type": "application/json"})
        if json.load(urllib.request.urlopen(request, timeout=5)).get("stored"):
            acked.write("%s %d\n" % (item[0], label)); acked.flush()
except Exception:
    pass   # the server was killed
PY
}
for ((point = 0; point < points; point++)); do
  : > "$work/acked"
  start_label_server || echo "the label server did not open its port" >&2
  label_client "$point" &
  client_pid=$!
  sleep "$(/usr/bin/python3 -c "print(round(0.05 + 0.45 * ($point + 0.5) / $points, 3))")"
  kill -9 "$label_pid" 2> /dev/null && label_kills=$((label_kills + 1))
  wait "$label_pid" 2> /dev/null
  wait "$client_pid" 2> /dev/null
  integrity_ok "$work/ws" || integrity_failures=$((integrity_failures + 1))
  acknowledged_total=$((acknowledged_total + $(wc -l < "$work/acked")))
  # Every acknowledged label is there after a restart.
  start_label_server
  point_lost=$(/usr/bin/python3 - "$label_port" "$work/acked" <<'PY'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen("http://127.0.0.1:%s/api/state" % sys.argv[1], timeout=5))
stored = {item[0]: item[4] for item in state["items"]}
print(sum(1 for line in open(sys.argv[2]) if stored.get(line.split()[0]) != int(line.split()[1])))
PY
)
  lost=$((lost + ${point_lost:-1}))
  kill -TERM "$label_pid"; wait "$label_pid" 2> /dev/null
done
"$edgeloop" -q --workspace "$work/ws" label caps --classes named --accept-above 0 > /dev/null 2>> "$work/label.log"
finish_status=$?
echo "labelling: $label_kills kills, $acknowledged_total labels acknowledged before the kills" >&2
row "kill-9 labelling" "kill points (labelling through the HTTP API)" "$label_kills" "$points" $((label_kills == points))
row "kill-9 labelling" "acknowledged labels missing after restart (of $acknowledged_total)" "$lost" 0 $((lost == 0))
row "kill-9 labelling" "integrity_check failures" "$integrity_failures" 0 $((integrity_failures == 0))
row "kill-9 labelling" "label --accept-above 0 after the kills: exit status" "$finish_status" 0 $((finish_status == 0))
