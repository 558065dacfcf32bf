#!/usr/bin/env bash
# Hostile image bytes reaching the device (issue 17): the DICOM preamble that aborted edgeloop-edge
# through GDCM, and a RIFF/WEBP header libwebp rejects over the same preamble (OpenCV's WebP decoder
# declined it and GDCM took it), files made by ../hostile_images.py. Each is sent 200 times (short:
# 20) as a POST /v1/predict body while the device streams at 50 frames/s, and put in a --source
# frame folder beside good frames; the DICOM preamble named dicom-video.mp4 is given as --source
# (OpenCV's CAP_ANY read it as an image, through GDCM). Targets: 0 crashes (every request answered,
# the device alive, frames flowing; the video refused with exit 2), each refusal a 400 with a
# one-line error, every round trip within 50 ms (the p50 of /healthz beside it: what loopback HTTP
# costs alone), peak RSS (VmHWM) of the device <= 512 MB.
source "$(dirname "$0")/device_lib.bash"
scenario=device/hostile_images
here=$(dirname "$0")
posts=$([ "$short" = 1 ] && echo 20 || echo 200)
make_bundle
python3 "$here/../hostile_images.py" "$work/hostile"
cases=(dicom-preamble webp-header-over-dicom)

field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
at_most() { python3 -c "import sys; print(1 if sys.argv[1] and float(sys.argv[1]) <= float(sys.argv[2]) else 0)" "$1" "$2"; }
peak_rss_mb() { awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$1/status"; }
# alive PID: 1 when the device process still runs (not a zombie) and /healthz answers 200.
alive() {
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ] && \
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/healthz")" = 200 ] && echo 1 || echo 0
}

# --- POST /v1/predict bodies
start_streaming_device "$work/frames" "$work/frames.jsonl" -q
for case in "${cases[@]}"; do
  result=$(python3 "$here/post_images.py" "$port" "$work/hostile/$case.bin" "$posts")
  echo "$case: $result" >&2
  statuses=$(field "$result" statuses); one_line=$(field "$result" one_line); unanswered=$(field "$result" unanswered)
  max_ms=$(field "$result" max_ms)
  row "$scenario" "POST $case: answers (one-line error)" "$statuses ($one_line)" "400x$posts (True)" \
    "$([ "$statuses" = "400x$posts" ] && [ "$one_line" = True ] && echo 1 || echo 0)"
  row "$scenario" "POST $case: crashes (unanswered, device down)" "$unanswered, $((1 - $(alive "$device_pid")))" "0, 0" \
    "$([ "$unanswered" = 0 ] && [ "$(alive "$device_pid")" = 1 ] && echo 1 || echo 0)"
  row "$scenario" "POST $case: refusal p50 / max ms (/healthz p50 $(field "$result" healthz_p50_ms))" \
    "$(field "$result" p50_ms) / $max_ms" "<= 50 ms" "$(at_most "$max_ms" 50)"
done
peak=$(peak_rss_mb "$device_pid")
row "$scenario" "POST: device peak RSS MB after $((posts * ${#cases[@]})) refusals" "$peak" "<= 512" "$(at_most "$peak" 512)"
frames_before=$(wc -l < "$work/frames.jsonl"); sleep 1; frames_after=$(wc -l < "$work/frames.jsonl")
row "$scenario" "POST: frames in the last second" "$((frames_after - frames_before))" "> 0" \
  "$([ $((frames_after - frames_before)) -gt 0 ] && echo 1 || echo 0)"
grep -m1 'POST /v1/predict body' "$work/device.log" >&2
kill -TERM "$device_pid"; wait "$device_pid" 2>/dev/null

# --- the files in the device's frame folder, named as images, beside the good frames
mkdir -p "$work/folder"
cp "$work/frames/"* "$work/folder/"
cp "$work/hostile/dicom-preamble.bin" "$work/folder/zz-dicom-preamble.png"
cp "$work/hostile/webp-header-over-dicom.bin" "$work/folder/zz-webp-header-over-dicom.webp"
start_streaming_device "$work/folder" "$work/folder.jsonl"   # without -q: a skipped file is a warning line
sleep 3   # 150 frames at 50/s: every file read several times
skipped=$(grep -c 'zz-' "$work/device.log")
up=$(alive "$device_pid")
peak=$(peak_rss_mb "$device_pid")
frames_before=$(wc -l < "$work/folder.jsonl"); sleep 1; frames_after=$(wc -l < "$work/folder.jsonl")
kill -TERM "$device_pid"; wait "$device_pid" 2>/dev/null
grep -m2 'zz-' "$work/device.log" >&2
row "$scenario" "frame folder: device down" "$((1 - up))" "0" "$up"
row "$scenario" "frame folder: log lines naming the two files (skipped)" "$skipped" ">= 2" "$([ "$skipped" -ge 2 ] && echo 1 || echo 0)"
row "$scenario" "frame folder: frames in the last second" "$((frames_after - frames_before))" "> 0" \
  "$([ $((frames_after - frames_before)) -gt 0 ] && echo 1 || echo 0)"
row "$scenario" "frame folder: device peak RSS MB" "$peak" "<= 512" "$(at_most "$peak" 512)"

# --- the DICOM preamble named as a video, as --source: refused at start with edgeloop-edge's line
# naming it (FFmpeg prints a line of its own), exit 2, not an abort
cp "$work/hostile/dicom-preamble.bin" "$work/dicom-video.mp4"
/usr/bin/time -f '%M' -o "$work/video.time" timeout 20 "$edge_binary" --bundle "$work/bundle" --source "$work/dicom-video.mp4" \
  --no-http -q > /dev/null 2> "$work/video.err"
status=$?
own=$(grep -c '^edgeloop-edge:.*dicom-video.mp4' "$work/video.err")
cat "$work/video.err" >&2
row "$scenario" "--source dicom-video.mp4: exit status (its lines naming it, of all)" "$status ($own of $(grep -c . "$work/video.err"))" \
  "2 (1 of any)" "$([ "$status" = 2 ] && [ "$own" = 1 ] && echo 1 || echo 0)"
peak=$(( $(tail -1 "$work/video.time") / 1024 ))
row "$scenario" "--source dicom-video.mp4: peak RSS MB" "$peak" "<= 512" "$(at_most "$peak" 512)"
{ echo "-- device log (last 20 lines)"; tail -20 "$work/device.log"; } >&2
