#!/usr/bin/env bash
# `make demo`: the whole loop on Debian's Fashion-MNIST with `edgeloop quickstart`, in ./demo/
# (reused when run again), closed on the device's captures with `--loop`: the simulated stream's
# oracle labels them (`--oracle`), a challenger is retrained, gated and pushed to the running
# edgeloop-edge. Usage: bash scripts/demo.sh [BUILD_DIR] [MINUTES]
set -euo pipefail
build_dir=${1:-build}
minutes=${2:-${EDGELOOP_DEMO_MINUTES:-10}}
edgeloop="$build_dir/src/cli/edgeloop"
edge="$build_dir/src/edged/edgeloop-edge"
for binary in "$edgeloop" "$edge"; do
  if [ ! -x "$binary" ]; then
    echo "demo: $binary is missing: run \`make build\` first" >&2
    exit 1
  fi
done
"$edgeloop" quickstart --dir demo --minutes "$minutes" --edge-binary "$edge" --loop --oracle
