#!/usr/bin/env bash
# Hot swaps under a running stream: 1,000 POST /v1/model?wait=1 (short: 100) alternating a good
# bundle and a tampered one, at 50 frames/s. RSS growth from the end of a warm-up (the first 10%;
# the first half in the short run: RSS still climbs over the first ~50 swaps, measured 105 -> 121 MB,
# then stays within 117-122 MB up to 1,000) to the end (target <= 5%), every good swap applied,
# every bad one refused with 422, frames flowing throughout.
source "$(dirname "$0")/device_lib.bash"
scenario=device/swaps
swaps=$([ "$short" = 1 ] && echo 100 || echo 1000)
make_bundle
cp -r "$work/bundle" "$work/good"
cp -r "$work/bundle" "$work/bad"
printf 'x' >> "$work/bad/model.onnx"
start_streaming_device "$work/frames" "$work/frames.jsonl" -q
applied=0; refused=0; other=0; warm_rss=0
warmup=$([ "$short" = 1 ] && echo $((swaps / 2)) || echo $((swaps / 10)))
for index in $(seq 1 "$swaps"); do
  if [ $((index % 2)) = 1 ]; then target="$work/good"; else target="$work/bad"; fi
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data "{\"bundle\": \"$target\"}" "http://127.0.0.1:$port/v1/model?wait=1")
  case "$status" in
    200) applied=$((applied + 1));;
    422) refused=$((refused + 1));;
    *) other=$((other + 1));;
  esac
  [ "$index" = "$warmup" ] && warm_rss=$(rss_kb "$device_pid")
done
end_rss=$(rss_kb "$device_pid")
frames_before=$(wc -l < "$work/frames.jsonl"); sleep 1; frames_after=$(wc -l < "$work/frames.jsonl")
kill -TERM "$device_pid"; wait "$device_pid" 2>/dev/null
growth=$(python3 -c "print(f'{100.0 * ($end_rss - $warm_rss) / $warm_rss:.2f}')")
row "$scenario" "swaps applied / refused / other" "$applied / $refused / $other" "$(( (swaps + 1) / 2 )) / $((swaps / 2)) / 0" \
  "$([ "$applied" = $(( (swaps + 1) / 2 )) ] && [ "$refused" = $((swaps / 2)) ] && echo 1 || echo 0)"
row "$scenario" "RSS after warm-up -> end (MB)" "$((warm_rss / 1024)) -> $((end_rss / 1024))" "-" 1
row "$scenario" "RSS growth over $swaps swaps (%)" "$growth" "<= 5" "$(python3 -c "print(1 if $growth <= 5 else 0)")"
row "$scenario" "frames in the last second" "$((frames_after - frames_before))" "> 0" "$([ $((frames_after - frames_before)) -gt 0 ] && echo 1 || echo 0)"
