#!/bin/bash
# Makes the bundles bundle_vs_peers compares (issue 16): cnn-m, mobilenet and resnet trained briefly
# on Fashion-MNIST (Debian's dataset-fashion-mnist) at 1x28x28 and, decoded as RGB and resized, at
# 3x64x64; each exported with `edgeloop export --int8` (whose int8 check measures onednn-int8's
# validation accuracy beside fp32's). A few epochs suffice for timing; the accuracies are real.
# Usage: bench/runtime/trained_bundles.sh BUILD_DIR OUT_DIR [EPOCHS] [MAX_SECONDS_PER_MODEL]
set -euo pipefail
build_dir=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
epochs=${3:-3}
max_seconds=${4:-600}
edgeloop="$build_dir/src/cli/edgeloop"
cd "$out"
if [ ! -d .edgeloop ]; then
  "$edgeloop" init .
  "$edgeloop" data import /usr/share/datasets/fashion-mnist --name fmnist
  "$edgeloop" data split fmnist --val 0.1 --test 0.1
fi
cat > rgb64.yaml <<'YAML'
ops:
  - {op: decode, color: rgb}
  - {op: resize, width: 64, height: 64}
  - {op: to_float}
YAML
for family in cnn-m mobilenet resnet; do
  for size in 28 64; do
    bundle="$out/$family-$size.bundle"
    [ -d "$bundle" ] && continue
    preprocess=()
    [ "$size" = 64 ] && preprocess=(--preprocess rgb64.yaml)
    model=$("$edgeloop" train --data fmnist --arch "$family" --epochs "$epochs" --max-seconds "$max_seconds" \
      "${preprocess[@]}" --json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["model"])')
    "$edgeloop" export "$model" --out "$bundle" --int8
  done
done
ls -d "$out"/*.bundle
