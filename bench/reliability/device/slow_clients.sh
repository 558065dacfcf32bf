#!/usr/bin/env bash
# /healthz while 200 slow clients (short: 50) trickle their headers a byte a second: p99 latency
# of 300 probes (target <= 100 ms) beside the same probes with no slow client (the peer: the
# server unloaded), failed probes (target 0). The device streams at 50 frames/s throughout.
source "$(dirname "$0")/device_lib.bash"
scenario=device/slow_clients
clients=$([ "$short" = 1 ] && echo 50 || echo 200)
probes=300
make_bundle
start_streaming_device "$work/frames" /dev/null --no-stdout -q
here=$(dirname "$0")
idle=$(python3 "$here/slow_clients.py" "$port" 0 "$probes")
loaded=$(python3 "$here/slow_clients.py" "$port" "$clients" "$probes")
kill -TERM "$device_pid"; wait "$device_pid" 2>/dev/null
field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
row "$scenario" "/healthz p99 (ms), no slow client" "$(field "$idle" p99_ms)" "-" 1
row "$scenario" "/healthz p50 (ms), $clients slow clients" "$(field "$loaded" p50_ms)" "-" 1
p99=$(field "$loaded" p99_ms)
row "$scenario" "/healthz p99 (ms), $clients slow clients" "$p99" "<= 100 ms" "$(python3 -c "print(1 if $p99 <= 100 else 0)")"
failed=$(field "$loaded" failed)
row "$scenario" "failed probes of $probes" "$failed" "0" "$([ "$failed" = 0 ] && echo 1 || echo 0)"
row "$scenario" "slow connections closed by the server" "$(field "$loaded" closed_by_server)" "counted" 1
