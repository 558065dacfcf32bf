#!/usr/bin/env bash
# Data-parallel training on this machine (issue 15), measured in one run:
#   1. allreduce time per size on the Gloo process group, 2 ranks on loopback, and per training
#      step for cnn-m:w=0.5's gradients split in buckets of 64 KiB .. 4 MiB;
#   2. throughput on Fashion-MNIST, cnn-m:w=0.5, 128 images per rank and step: 1 process x 1
#      thread, 1 process x 2 threads, 2 ranks x 1 thread (global batch 256); scaling efficiency =
#      2 ranks / (2 x 1 process x 1 thread) (target >= 85%), and the allreduce wait per step;
#   3. time to accuracy: the cnn-m recipe of bench/train (cnn-m:w=0.5, 3 epochs, global batch 128,
#      lr 0.01, one-cycle) in each of the three layouts, then one test on the official test set
#      (target 91%); the 1-process and 2-rank accuracies also show the effect of per-rank batch norm;
#   4. a projection to 4, 8, 16 machines on 1 and 10 Gbit/s for cnn-m and resnet, on paper, from
#      the measured step times (resnet: 1 thread, 128 images) and the ring allreduce's cost model.
# Usage: bench/train/distributed/run_distributed_bench.sh [BUILD_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../../../build}" && pwd)"
edgeloop="$build/src/cli/edgeloop"
allreduce_bench="$build/bench/train/distributed/edgeloop_allreduce_bench"
idx_dir=/usr/share/datasets/fashion-mnist
workspace="$(mktemp -d /tmp/edgeloop-distributed-bench-XXXXXX)"
trap 'rm -rf "$workspace"' EXIT
port=$((29700 + RANDOM % 200))
json_field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
run() { local threads="$1"; shift; "$edgeloop" --workspace "$workspace" --threads "$threads" --quiet "$@"; }
# Two ranks of `edgeloop train ... --distributed`, 1 thread each; prints rank 0's JSON.
run_two_ranks() {
  port=$((port + 1))
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=1 \
    "$edgeloop" --workspace "$workspace" --threads 1 --quiet --json "$@" --distributed >"$workspace/rank1.json" &
  local worker=$!
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=0 \
    "$edgeloop" --workspace "$workspace" --threads 1 --quiet --json "$@" --distributed
  wait "$worker"
}
test_accuracy() { run 2 --json test "$1" --testset official | json_field 'd["accuracy"]*100'; }

echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; the machine is shared)"
run 2 init "$workspace" >/dev/null
run 2 data import "$idx_dir" --name fmnist >/dev/null
run 2 data split fmnist --keep-origin-test official --val 0.1 >/dev/null
parameters() { run 1 --json models list --input 1x28x28 --classes 10 --arch "$1" | json_field "[r['parameters'] for r in d if r['arch']=='$1'][0]"; }
small_parameters=$(parameters cnn-m:w=0.5)
cnn_m_parameters=$(parameters cnn-m)
resnet_parameters=$(parameters resnet)
echo "gradients: cnn-m:w=0.5 $small_parameters floats, cnn-m $cnn_m_parameters, resnet $resnet_parameters"

# 1. Allreduce cost.
port=$((port + 1))
MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=1 "$allreduce_bench" --gradient-bytes $((small_parameters * 4)) &
worker=$!
MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=0 "$allreduce_bench" --gradient-bytes $((small_parameters * 4)) \
  | tee "$workspace/allreduce.jsonl"
wait "$worker"

# 2. Throughput, 128 images per rank and step, 40 s of training each.
throughput() { json_field 'd["metrics"]["images_per_second"]'; }
one_by_one=$(run 1 --json train --data fmnist --arch cnn-m:w=0.5 --epochs 1 --batch 128 --max-seconds 40 | throughput)
one_by_two=$(run 2 --json train --data fmnist --arch cnn-m:w=0.5 --epochs 1 --batch 128 --max-seconds 40 | throughput)
run_two_ranks train --data fmnist --arch cnn-m:w=0.5 --epochs 1 --batch 256 --max-seconds 40 >"$workspace/two.json"
two_ranks=$(throughput <"$workspace/two.json")
wait_per_step=$(json_field '1e3*d["metrics"]["allreduce_wait_seconds"]/d["metrics"]["steps"]' <"$workspace/two.json")
efficiency=$(/usr/bin/python3 -c "print(round(100*$two_ranks/(2*$one_by_one), 1))")
printf 'throughput cnn-m:w=0.5, 128 img per rank-step: 1 process x 1 thread %.0f img/s, 1 process x 2 threads %.0f img/s, 2 ranks x 1 thread %.0f img/s\n' \
  "$one_by_one" "$one_by_two" "$two_ranks"
printf 'scaling efficiency of 2 ranks: %s%% of 2 x one rank (target >= 85%%); allreduce wait after backward %.2f ms per step\n' \
  "$efficiency" "$wait_per_step"

# 3. Time to accuracy, the same recipe in each layout.
recipe=(train --data fmnist --arch cnn-m:w=0.5 --epochs 3 --batch 128 --lr 0.01 --schedule onecycle)
report_recipe() {
  local label="$1" json="$2"
  local model seconds accuracy
  model=$(json_field 'd["model"]' <<<"$json")
  seconds=$(json_field 'd["metrics"]["training_seconds"]' <<<"$json")
  accuracy=$(test_accuracy "$model")
  printf 'time to accuracy, %s: trained %.1f s, official test accuracy %.2f%% (target 91%%)\n' "$label" "$seconds" "$accuracy"
  echo "$seconds" >"$workspace/tta-$3"
}
report_recipe "1 process x 1 thread" "$(run 1 --json "${recipe[@]}")" one
report_recipe "1 process x 2 threads" "$(run 2 --json "${recipe[@]}")" two_threads
report_recipe "2 ranks x 1 thread (global batch 128)" "$(run_two_ranks "${recipe[@]}")" two_ranks

# 4. Projection on paper. Step compute time from measured 1-thread throughput (resnet measured here).
cnn_m_rate=$(run 1 --json train --data fmnist --arch cnn-m --epochs 1 --batch 128 --max-seconds 30 | throughput)
resnet_rate=$(run 1 --json train --data fmnist --arch resnet --epochs 1 --batch 128 --max-seconds 30 | throughput)
/usr/bin/python3 "$here/project_scaling.py" --allreduce "$workspace/allreduce.jsonl" \
  --model "cnn-m:w=0.5" "$small_parameters" "$one_by_one" \
  --model "cnn-m" "$cnn_m_parameters" "$cnn_m_rate" \
  --model "resnet" "$resnet_parameters" "$resnet_rate"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
