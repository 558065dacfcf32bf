#!/bin/bash
# Issue 16's comparison on what a device gets: cnn-m, mobilenet and resnet trained briefly on
# Fashion-MNIST (Debian's dataset-fashion-mnist) at 1x28x28 and, decoded as RGB and resized, at
# 3x64x64, each exported with `edgeloop export --int8` (whose int8 check measures onednn-int8's
# validation accuracy beside fp32's), then bundle_vs_peers on those bundles: every device engine
# beside ONNX Runtime 1.30 on the same files in one run, and the slowest bundle's per-primitive times;
# last, each bundle's int8 validation accuracy beside its fp32 one (target: within 0.5 points) on
# every image of the validation split (export --evaluation-images 0; the table prints how many).
# A few epochs suffice for timing; the accuracies are real. Bundles already in OUT_DIR are reused
# (one checked on fewer validation images is marked: delete it to re-export).
# Usage: bench/runtime/compare_bundles_with_peers.sh BUILD_DIR OUT_DIR [THREADS] [EPOCHS] [MAX_SECONDS_PER_MODEL]
set -euo pipefail
build_dir=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
threads=${3:-1}
epochs=${4:-3}
max_seconds=${5:-600}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
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
    "$edgeloop" export "$model" --out "$bundle" --int8 --evaluation-images 0
  done
done
if [ ! -d "$source_dir/bench/peers/node_modules/onnxruntime-node" ]; then
  (cd "$source_dir/bench/peers" && npm install --ignore-scripts --no-audit --no-fund >/dev/null)
fi
cmake --build "$build_dir" --target bundle_vs_peers -j2 >/dev/null
"$build_dir/bench/runtime/bundle_vs_peers" --threads "$threads" "$out"/cnn-m-28.bundle "$out"/mobilenet-28.bundle \
  "$out"/resnet-28.bundle "$out"/cnn-m-64.bundle "$out"/mobilenet-64.bundle "$out"/resnet-64.bundle
# int8 against fp32 on the validation images export measured (bundle.json metrics.export.int8):
# the target is int8 within 0.5 points of fp32. A model whose fp32 accuracy is under 50% says
# little about quantization and is marked so.
validation_images=$("$edgeloop" data show fmnist --json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["splits"]["val"])')
/usr/bin/python3 - "$out" "$validation_images" <<'PY'
import json, sys
out = sys.argv[1]
validation_images = int(sys.argv[2])
target_points = 0.5
print("\nint8 vs fp32 accuracy on the whole validation split, %d images (export's check, --evaluation-images 0;"
      " target: drop <= %.1f points)" % (validation_images, target_points))
print("%-18s %6s %8s %8s %9s %10s %s" % ("bundle", "images", "fp32", "int8", "int8-fp32", "agreement", "engines (int8 accuracy)"))
for name in ["cnn-m-28", "mobilenet-28", "resnet-28", "cnn-m-64", "mobilenet-64", "resnet-64"]:
    metrics = json.load(open("%s/%s.bundle/bundle.json" % (out, name)))["metrics"]
    check = metrics.get("export", {}).get("int8")
    if not check:
        print("%-18s no int8 check in bundle.json: re-export with --int8" % name)
        continue
    drop = 100.0 * (check["fp32_accuracy"] - check["int8_accuracy"])
    engines = ", ".join("%s %.3f" % (engine["engine"], engine["accuracy"]) for engine in check.get("engines", [])
                        if not engine.get("skipped"))
    verdict = "undertrained (fp32 < 50%): says little" if check["fp32_accuracy"] < 0.5 else \
              ("met" if drop <= target_points else "NOT met")
    if check["evaluation_images"] < validation_images:
        verdict += "; on %d of %d images: delete the bundle to re-export" % (check["evaluation_images"], validation_images)
    print("%-18s %6d %8.3f %8.3f %+9.2f %10.3f %s  [%s]" % (name, check["evaluation_images"], check["fp32_accuracy"],
          check["int8_accuracy"], -drop, check["top1_agreement"], engines, verdict))
PY
