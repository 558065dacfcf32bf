#!/usr/bin/env bash
# Issue 12's loop targets, each printed beside its baseline from the same run, on Debian's
# Fashion-MNIST: the stream is the official test set (10,000 images, `sim:` of its image pack)
# with contrast 0.35 from frame 300.
#   1. The champion's drop D on the drifted stream: its accuracy on the clean images (a clean run of
#      the same pack on the device) minus its accuracy on the same images drifted (the swap run's
#      champion pass), over the images not used for labelling.
#   2. After one loop with at most LABELS labels (500): the promoted model's recovery of D on those
#      drifted images, (after - before) / D (target >= 70%); and the original test set's accuracy
#      change, challenger - champion on test:official from the gate (target: falls <= 0.5 points).
#   3. Uncertainty-chosen captures (entropy order) against randomly chosen ones (object-hash order)
#      at the same label budget: both loops run on copies of one workspace, reported as they come.
#   4. Retrain + gate + promote (export, push, swap, probation verdict) wall time (target <= 3 min
#      on 2 cores), per loop.
#   5. Swap to the first prediction of the new model (<= 1 s, no dropped frame): the rollout bench
#      (bench/loop/run_rollout_bench.sh) on this run's workspace.
# The champion is the quickstart's pick (sweep of ARCHS within MINUTES). A quarter of the drifted
# frames are captured (capture drift rate 0.25, about 2,400 frames: every capture is written
# durably, and capturing all 9,700 took 214 s a run), and both orders choose from that pool.
# Usage: bench/loop/run_loop_bench.sh [BUILD_DIR] [MINUTES] [ARCHS] [LABELS]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$(cd "${1:-$source_dir/build}" && pwd)
minutes=${2:-6}
archs=${3:-cnn-s}
labels=${4:-500}
edgeloop="$build_dir/src/cli/edgeloop"
edge="$build_dir/src/edged/edgeloop-edge"
scratch=$(mktemp -d /tmp/edgeloop-loop-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
drift="contrast:0.35@300"
common=(--minutes "$minutes" --archs "$archs" --stream-frames 10000 --drift "$drift" --capture-drift-rate 0.25
        --edge-binary "$edge")
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

# The champion and the device's captures, once.
"$edgeloop" -q --json quickstart --dir "$scratch/base" "${common[@]}" > "$scratch/base.json"
# Its clean accuracy per image: the same pack on the device without corruption.
"$edge" --bundle "$scratch/base/bundle" --source "sim:$scratch/base/stream.pack" --no-http --no-stdout \
  --jsonl "$scratch/clean.jsonl" -q 2> /dev/null

# One loop per order, each on its own copy of the workspace.
for order in entropy random; do
  cp -a "$scratch/base" "$scratch/$order"
  "$edgeloop" -q --json quickstart --dir "$scratch/$order" "${common[@]}" --loop --oracle --loop-labels "$labels" \
    --label-order "$order" > "$scratch/$order.json"
done

/usr/bin/python3 - "$scratch" "$labels" <<'PY'
import json, sys
scratch, labels = sys.argv[1], int(sys.argv[2])

def per_item(path, model=None, first_frame=0):
    """item -> correct, from prediction lines carrying the true class (the last answer per image)."""
    out = {}
    for line in open(path):
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        if "truth" not in row or "topic" in row or row["frame"] < first_frame:
            continue
        if model and row["model_id"] != model:
            continue
        out[row["item"]] = row["label"] == row["truth"]
    return out

clean = per_item(f"{scratch}/clean.jsonl")
base = json.load(open(f"{scratch}/base.json"))
print(f"champion {base['picked_arch']} {base['picked_model']}: official test accuracy {100 * base['test_accuracy']:.2f}%")
results = {}
for order in ("entropy", "random"):
    summary = json.load(open(f"{scratch}/{order}.json"))
    loop = summary["loop"]
    official = next(s for s in loop["gate"]["test_sets"] if not s["captured"])
    captured = next(s for s in loop["gate"]["test_sets"] if s["captured"])
    line = {"order": order, "labels": loop["labels"], "promoted": loop["promoted"], "decision": loop["decision"],
            "official_change_points": 100 * (official["challenger_accuracy"] - official["champion_accuracy"]),
            "official_p": official["mcnemar_p"], "captured": captured,
            "seconds": loop["retrain_seconds"] + loop["gate_seconds"] + loop["push_seconds"],
            "retrain": loop["retrain_seconds"], "gate": loop["gate_seconds"], "push": loop["push_seconds"]}
    if loop["promoted"]:
        excluded = set(loop["labelled_items"])
        drift_from = loop["drift_from_frame"]
        before = per_item(loop["stream_log"], loop["champion"], drift_from)
        after = {}
        for row in (json.loads(l) for l in open(loop["stream_log"]) if l.startswith("{")):
            if "truth" in row and "topic" not in row and row["model_id"] == loop["challenger"] and row["item"] not in after:
                after[row["item"]] = row["label"] == row["truth"]
        items = [i for i in after if i in before and i in clean and i not in excluded]
        n = len(items)
        acc = lambda table: sum(table[i] for i in items) / n if n else float("nan")
        clean_acc, before_acc, after_acc = acc(clean), acc(before), acc(after)
        drop = clean_acc - before_acc
        line.update(images=n, clean=clean_acc, before=before_acc, after=after_acc, drop=drop,
                    recovery=(after_acc - before_acc) / drop if drop > 0 else float("nan"))
    results[order] = line

for order, r in results.items():
    print(f"\n== {order} order: {r['labels']} labels (budget {labels}); gate: {'promoted' if r['promoted'] else 'refused'} ({r['decision']})")
    c = r["captured"]
    print(f"  captured test set {c['test_set']}: champion {100 * c['champion_accuracy']:.1f}%, challenger {100 * c['challenger_accuracy']:.1f}% ({c['count']} frames)")
    print(f"  original test set change: {r['official_change_points']:+.2f} points (target: no drop over 0.5), McNemar p {r['official_p']:.4f}")
    if "images" in r:
        print(f"  drifted stream, {r['images']} images not used for labelling: clean {100 * r['clean']:.2f}%, "
              f"champion drifted {100 * r['before']:.2f}% (drop D {100 * r['drop']:.2f} points), promoted model {100 * r['after']:.2f}%")
        print(f"  recovery of D: {100 * r['recovery']:.1f}% (target >= 70%)")
    print(f"  retrain + gate + promote: {r['seconds']:.1f} s (retrain {r['retrain']:.1f}, gate {r['gate']:.1f}, export + push + probation {r['push']:.1f}; target <= 180 s)")
if all("recovery" in r for r in results.values()):
    print(f"\nuncertainty vs random at {labels} labels: recovery {100 * results['entropy']['recovery']:.1f}% vs "
          f"{100 * results['random']['recovery']:.1f}%, promoted model on the drifted stream "
          f"{100 * results['entropy']['after']:.2f}% vs {100 * results['random']['after']:.2f}%")
PY

echo
echo "== swap to the first prediction of the new model (bench/loop/run_rollout_bench.sh, same workspace)"
bash "$source_dir/bench/loop/run_rollout_bench.sh" "$build_dir" "$scratch/base" 40
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
