#!/usr/bin/env bash
# Builds the libFuzzer targets with Debian's clang under ASan and UBSan, in their own build folder
# (the main build uses g++):   bash fuzz/build.sh [BUILD_DIR [TARGET...]]   (default build-fuzz, all)
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$source_dir/build-fuzz}
shift || true
targets=("${@:-edgeloop_fuzz_all}")
# -O1 with line tables: quick to compile, symbolized stacks, and asserts kept (no NDEBUG).
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DEDGELOOP_FUZZ=ON -DEDGELOOP_BUILD_TESTS=OFF -DEDGELOOP_BUILD_BENCH=OFF > /dev/null
cmake --build "$build_dir" --target "${targets[@]}" -j "${JOBS:-$(nproc)}"
