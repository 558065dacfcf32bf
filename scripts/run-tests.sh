#!/usr/bin/env bash
# Runs the whole test suite with CTest. Tests that need a broker start their own mosquitto on
# loopback; nothing else needs a service.
set -euo pipefail
build_dir=${1:-build}
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" --timeout 600
