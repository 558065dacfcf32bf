#!/usr/bin/env bash
# The labelling page at 10,000 captures in Debian's headless chromium (issue 12's browser target):
# page load <= 1 s, key press -> next frame painted <= 30 ms at p95, and the save round trip.
# Makes a workspace once (cached in BUILD_DIR/bench/label/): 10,000 28x28 PNG captures with their
# sidecars (edgeloop_label_bench_captures), imported with `edgeloop data import --format capture`;
# each run labels a fresh copy of it: `edgeloop label` serves it on loopback and
# label_latency.mjs (puppeteer-core from tests/label) presses the keys and prints the figures.
# --stages prints instead where a press's time goes, stage by stage (label_latency_stages.mjs).
#   bash bench/label/run_label_latency.sh [BUILD_DIR] [--captures N] [--presses N] [--pause-ms N] [--stages]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$(cd "${1:-$source_dir/build}" && pwd)
shift $(($# > 0 ? 1 : 0))
captures=10000 presses=300 pause_ms=120 stages=0
while [ $# -gt 0 ]; do
  case "$1" in
    --captures) captures=$2; shift 2 ;;
    --presses) presses=$2; shift 2 ;;
    --pause-ms) pause_ms=$2; shift 2 ;;
    --stages) stages=1; shift ;;
    *) echo "run_label_latency.sh: unknown option $1: use --captures N, --presses N, --pause-ms N, --stages" >&2; exit 2 ;;
  esac
done
edgeloop="$build_dir/src/cli/edgeloop"
generator="$build_dir/bench/label/edgeloop_label_bench_captures"
for needed in "$edgeloop" "$generator" /usr/bin/chromium "$source_dir/tests/label/node_modules/puppeteer-core"; do
  [ -e "$needed" ] || { echo "run_label_latency.sh: $needed is missing: build the targets edgeloop and" \
                             "edgeloop_label_bench_captures, and run scripts/install-deps.sh" >&2; exit 1; }
done

cache="$build_dir/bench/label/workspace-$captures"
if [ ! -e "$cache/imported" ]; then
  rm -rf "$cache" && mkdir -p "$cache"
  echo "making $captures captures and importing them into $cache (once)"
  "$generator" "$cache/files" "$captures"
  "$edgeloop" -q init "$cache/ws" > /dev/null
  "$edgeloop" -q --workspace "$cache/ws" data import "$cache/files/classes" --name classes
  "$edgeloop" -q --workspace "$cache/ws" data import "$cache/files/captures" --name captures --format capture
  rm -rf "$cache/files"
  touch "$cache/imported"
fi

run=$(mktemp -d "${TMPDIR:-/tmp}/edgeloop-label-latency.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; fi
  rm -rf "$run"
}
trap cleanup EXIT
cp -a "$cache/ws" "$run/ws"
"$edgeloop" --workspace "$run/ws" --json label captures --classes classes --labeller bench > "$run/label.json" 2> "$run/label.log" &
server=$!
for _ in $(seq 1200); do   # the session reads 10,000 samples first: up to a minute on a busy machine
  grep -q '"url"' "$run/label.json" 2> /dev/null && break
  kill -0 "$server" 2> /dev/null || { cat "$run/label.log" >&2; exit 1; }
  sleep 0.05
done
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$run/label.json")
[ -n "$url" ] || { echo "run_label_latency.sh: edgeloop label did not print its URL" >&2; cat "$run/label.log" >&2; exit 1; }
if [ "$stages" = 1 ]; then
  node "$source_dir/bench/label/label_latency_stages.mjs" "$url" "$presses" "$pause_ms"
else
  node "$source_dir/bench/label/label_latency.mjs" "$url" "$presses" "$pause_ms" "$captures"
fi
