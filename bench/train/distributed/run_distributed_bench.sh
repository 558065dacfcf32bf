#!/usr/bin/env bash
# Data-parallel training on this machine (issue 15), measured in one run:
#   1. allreduce time per size on the Gloo process group, 2 ranks on loopback; per step for
#      cnn-ref's and cnn-m:w=0.5's gradients split in buckets of 64 KiB .. 4 MiB; and real training
#      steps of both (128 images per rank, 1 thread, each rank bound to its core) through
#      GradientAllreduce at each bucket size, one bucket for all, and alone, interleaved step by
#      step over 40 rounds so that a change of speed falls on every size alike; "cost_ms" is a step
#      minus the step alone in the same round (the choice of kGradientBucketBytes);
#   0. how much the machine's cores slow each other with no training and no communication
#      (edgeloop_core_scaling_probe: register-only FMAs, a memory stream);
#   2. throughput on Fashion-MNIST, 128 images per rank and step, SECONDS of training each, the
#      layouts in turn in ROUNDS rounds (each round's figures, then the medians):
#      cnn-ref (Adam 1e-3, constant rate, no augmentation) in edgeloop as 1 process x 1 thread,
#      1 process x 2 threads, 2 ranks x 1 thread (global batch 256), beside the peer, PyTorch's
#      DistributedDataParallel on gloo (ddp_peer.py, the same layers) as 1 rank x 1 thread and
#      2 ranks x 1 thread; then cnn-m:w=0.5 (batch norm) in edgeloop, 1 x 1 and 2 ranks x 1.
#      Scaling efficiency = 2 ranks / (2 x 1 rank x 1 thread), target >= 85%; the allreduce wait
#      after backward per step;
#   2b. --balance-ranks: cnn-ref's 2 ranks with even shares and balanced, with rank 1's core shared
#      with a busy loop (a slower machine) and without, in ROUNDS rounds, then the medians;
#   with --full also:
#   3. time to accuracy: cnn-m:w=0.5, 3 epochs, global batch 128, lr 0.01, one-cycle, in each of
#      the three layouts, then one test on the official test set (target 91%); the 1-process and
#      2-rank accuracies also show the effect of per-rank batch norm;
#   4. a projection to 4, 8, 16 machines on 1 and 10 Gbit/s for cnn-m and resnet, on paper, from
#      the measured step times (1 thread, 128 images) and the ring allreduce's cost model.
#   with --scaling-only instead of all the above: the efficiency alone, bracketed. For cnn-ref and
#      cnn-m:w=0.5 in turn: 1 process, 2 ranks, 1 process, 2 ranks, ..., 1 process (ROUNDS 2-rank
#      runs, each between two 1-process measurements, each of those the faster of unbound and
#      bound to a core); each 2-rank run counts against the mean of the two around it, so a drift
#      of the speed over the minute falls on both sides. Per-run ratios, then the medians.
# Usage: bench/train/distributed/run_distributed_bench.sh [--full | --scaling-only] [--seconds 20] [--rounds 3] [BUILD_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
full=0
scaling_only=0
seconds=20
rounds=3
build_arg=""
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1 ;;
    --scaling-only) scaling_only=1 ;;
    --seconds) seconds="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    *) build_arg="$1" ;;
  esac
  shift
done
build="$(cd "${build_arg:-$here/../../../build}" && pwd)"
edgeloop="$build/src/cli/edgeloop"
allreduce_bench="$build/bench/train/distributed/edgeloop_allreduce_bench"
core_probe="$build/bench/train/distributed/edgeloop_core_scaling_probe"
idx_dir=/usr/share/datasets/fashion-mnist
workspace="$(mktemp -d /tmp/edgeloop-distributed-bench-XXXXXX)"
trap 'rm -rf "$workspace"' EXIT
port=$((29700 + RANDOM % 200))
json_field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
run() { local threads="$1"; shift; "$edgeloop" --workspace "$workspace" --threads "$threads" --quiet "$@"; }
# Two ranks of COMMAND on loopback with the variables `torchrun --nproc-per-node 2` sets (edgeloop
# then binds each rank to its core: train/distributed/core_binding.h); prints rank 0's stdout.
two_ranks() {
  port=$((port + 1))
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=1 LOCAL_RANK=1 LOCAL_WORLD_SIZE=2 "$@" >"$workspace/rank1.out" &
  local worker=$!
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=0 LOCAL_RANK=0 LOCAL_WORLD_SIZE=2 "$@"
  wait "$worker"
}
one_rank() {
  port=$((port + 1))
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=1 RANK=0 "$@"
}
test_accuracy() { run 2 --json test "$1" --testset official | json_field 'd["accuracy"]*100'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "load at start: $(load) (2 cores; the machine is shared)"
# 0. The machine alone: each kernel on one core, then on every core at once.
"$core_probe" --seconds 3 | while read -r line; do
  json_field '"machine, no training: %s per core %.2f %s alone, %.2f with every core busy (ratio %.3f)" % (d["kernel"], d["one_core"], d["unit"], d["per_core_all_busy"], d["ratio"])' <<<"$line"
done
run 2 init "$workspace" >/dev/null
run 2 data import "$idx_dir" --name fmnist >/dev/null
run 2 data split fmnist --keep-origin-test official --val 0.1 >/dev/null
parameters() { run 1 --json models list --input 1x28x28 --classes 10 --arch "$1" | json_field "[r['parameters'] for r in d if r['arch']=='$1'][0]"; }
ref_parameters=$(parameters cnn-ref)
small_parameters=$(parameters cnn-m:w=0.5)
echo "gradients: cnn-ref $ref_parameters floats, cnn-m:w=0.5 $small_parameters floats"

# Shared by the scaling measures (2, and --scaling-only): the two models' recipes, 128 images per
# rank and step.
throughput() { json_field 'd["metrics"]["images_per_second"]'; }
ref=(train --data fmnist --arch cnn-ref --lr 0.001 --optimizer adam --schedule constant --weight-decay 0 --augment none
     --epochs 1 --max-seconds "$seconds" --json)
run 1 "${ref[@]}" --batch 128 >/dev/null   # builds the tensor cache once, outside the timings
efficiency() { /usr/bin/python3 -c "print(round(100*$1/(2*$2), 1))"; }
# The job's images per second against the sum of its ranks' own speeds in the same run (each rank's
# images over its seconds of work, waits left out): what synchronising costs, measured while the
# ranks run, so it holds whatever the machine's speed did meanwhile.
sync_efficiency() { json_field 'round(100 * d["metrics"]["images_per_second"] / sum(r["images"] / r["work_seconds"] for r in d["metrics"]["ranks"]), 1)'; }
median() { /usr/bin/python3 -c "import statistics,sys; print(round(statistics.median(float(v) for v in sys.argv[1:]), 2))" "$@"; }
small=(train --data fmnist --arch cnn-m:w=0.5 --lr 0.01 --schedule onecycle --augment none --epochs 1
       --max-seconds "$seconds" --json)

# --scaling-only: 1 process (the faster of unbound and bound), 2 ranks, 1 process, ... for the
# recipe named RECIPE (ref or small); each 2-rank run against the mean of the 1-process runs on
# either side (2 ranks / (2 x mean) = 2 ranks / (sum of the two)).
best_single() {
  local -n single_recipe=$1
  local unbound bound
  unbound=$(run 1 "${single_recipe[@]}" --batch 128 | throughput)
  bound=$(taskset -c 0 "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${single_recipe[@]}" --batch 128 | throughput)
  /usr/bin/python3 -c "print(max($unbound, $bound))"
}
bracketed_scaling() {
  local name=$1 label=$2 round two
  local -n recipe=$name
  local singles=() ratios=() syncs=()
  singles+=("$(best_single "$name")")
  for round in $(seq 1 "$rounds"); do
    two_ranks "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${recipe[@]}" --batch 256 --distributed >"$workspace/scaling.json"
    two=$(throughput <"$workspace/scaling.json")
    syncs+=("$(sync_efficiency <"$workspace/scaling.json")")
    singles+=("$(best_single "$name")")
    ratios+=("$(/usr/bin/python3 -c "print(round(100 * $two / (${singles[-2]} + ${singles[-1]}), 1))")")
    printf '%s round %s: 1 process %.0f img/s, 2 ranks %.0f, 1 process %.0f: %s%% of 2 x their mean (%s%% of the ranks'"'"' own speeds); load %s\n' \
      "$label" "$round" "${singles[-2]}" "$two" "${singles[-1]}" "${ratios[-1]}" "${syncs[-1]}" "$(load)"
  done
  printf '%s, medians of %s bracketed rounds: efficiency %s%% (target >= 85%%; rounds %s), against the ranks'"'"' own speeds %s%%\n' \
    "$label" "$rounds" "$(median "${ratios[@]}")" "$(IFS=,; echo "${ratios[*]}")" "$(median "${syncs[@]}")"
}
scaling_only_run() {
  bracketed_scaling ref cnn-ref
  bracketed_scaling small cnn-m:w=0.5
  echo "load at end: $(load)"
}

if [ "$scaling_only" = 1 ]; then
  scaling_only_run
  exit 0
fi

# 1. Allreduce cost (rank 0 prints JSON lines).
two_ranks "$allreduce_bench" --gradient-bytes $((ref_parameters * 4)) --gradient-bytes $((small_parameters * 4)) \
  --arch cnn-ref --arch cnn-m:w=0.5 | tee "$workspace/allreduce.jsonl"

# 2. Throughput, 128 images per rank and step.
# Layouts measured one after another in ROUNDS rounds: one process's speed moved by 1250-2210
# img/s within minutes (before edgeloop 52082b9, mostly glibc's page faults in the training
# process; see docs/distributed.md), so an efficiency from one 1-rank run and one 2-rank run
# minutes apart could compare different speeds. Each round's ratio is printed, then the medians.
ref_1x1=() ref_bound=() ref_2x1=() peer_1x1=() peer_2x1=() small_1x1=() small_2x1=() ref_waits=() small_waits=()
ref_sync=() small_sync=()
for round in $(seq 1 "$rounds"); do
  one=$(run 1 "${ref[@]}" --batch 128 | throughput)
  two_ranks "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${ref[@]}" --batch 256 --distributed >"$workspace/ref2.json"
  two=$(throughput <"$workspace/ref2.json")
  ref_sync+=("$(sync_efficiency <"$workspace/ref2.json")")
  ref_waits+=("$(json_field '1e3*d["metrics"]["allreduce_wait_seconds"]/d["metrics"]["steps"]' <"$workspace/ref2.json")")
  # The same process bound to one core (taskset): on a 2-core VM its threads (compute, batch loading)
  # ran up to 1.5x faster kept together than spread by the scheduler. The efficiency counts against
  # the faster of the two single-process figures.
  bound=$(taskset -c 0 "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${ref[@]}" --batch 128 | throughput)
  peer_one=$(one_rank /usr/bin/python3 "$here/ddp_peer.py" --threads 1 --batch 128 --max-seconds "$seconds" | json_field 'd["images_per_second"]')
  peer_two=$(two_ranks /usr/bin/python3 "$here/ddp_peer.py" --threads 1 --batch 128 --max-seconds "$seconds" | json_field 'd["images_per_second"]')
  small_one=$(run 1 "${small[@]}" --batch 128 | throughput)
  two_ranks "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${small[@]}" --batch 256 --distributed >"$workspace/small2.json"
  small_two=$(throughput <"$workspace/small2.json")
  small_sync+=("$(sync_efficiency <"$workspace/small2.json")")
  small_waits+=("$(json_field '1e3*d["metrics"]["allreduce_wait_seconds"]/d["metrics"]["steps"]' <"$workspace/small2.json")")
  best=$(/usr/bin/python3 -c "print(max($one, $bound))")
  printf 'round %s: cnn-ref 1x1 %.0f, bound to one core %.0f, 2 ranks %.0f (%s%% of the faster; %s%% of the ranks'"'"' own speeds); DDP 1x1 %.0f, 2 ranks %.0f (%s%%); cnn-m:w=0.5 1x1 %.0f, 2 ranks %.0f (%s%%; %s%% of the ranks'"'"' own speeds); load %s\n' \
    "$round" "$one" "$bound" "$two" "$(efficiency "$two" "$best")" "${ref_sync[-1]}" "$peer_one" "$peer_two" \
    "$(efficiency "$peer_two" "$peer_one")" "$small_one" "$small_two" "$(efficiency "$small_two" "$small_one")" "${small_sync[-1]}" "$(load)"
  ref_1x1+=("$one") ref_bound+=("$bound") ref_2x1+=("$two") peer_1x1+=("$peer_one") peer_2x1+=("$peer_two")
  small_1x1+=("$small_one") small_2x1+=("$small_two")
done
# A slower machine: rank 1's core shared with a busy loop (another job on that machine), the two
# ranks with even shares and with --balance-ranks (shares follow the measured speed); and both
# without the loop, where the shares have only this VM's noise to follow.
shares() { json_field '"/".join("%.2f" % v for v in d["metrics"].get("rank_shares", [0.5, 0.5]))'; }
even_slow=() balanced_slow=() even_idle=() balanced_idle=()
for round in $(seq 1 "$rounds"); do
  taskset -c "$(nproc --all | awk '{print $1 - 1}')" sh -c 'while :; do :; done' &
  hog=$!
  two_ranks "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${ref[@]}" --batch 256 --distributed >"$workspace/even.json"
  two_ranks "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${ref[@]}" --batch 256 --distributed --balance-ranks >"$workspace/balanced.json"
  kill "$hog"; wait "$hog" 2>/dev/null || true
  even_slow+=("$(throughput <"$workspace/even.json")") balanced_slow+=("$(throughput <"$workspace/balanced.json")")
  slow_shares=$(shares <"$workspace/balanced.json")
  two_ranks "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${ref[@]}" --batch 256 --distributed >"$workspace/even.json"
  two_ranks "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${ref[@]}" --batch 256 --distributed --balance-ranks >"$workspace/balanced.json"
  even_idle+=("$(throughput <"$workspace/even.json")") balanced_idle+=("$(throughput <"$workspace/balanced.json")")
  printf 'round %s, cnn-ref 2 ranks: rank 1 sharing its core with a busy loop: even shares %.0f img/s, balanced %.0f img/s (shares at the end %s); no loop: even %.0f, balanced %.0f (shares %s); load %s\n' \
    "$round" "${even_slow[-1]}" "${balanced_slow[-1]}" "$slow_shares" "${even_idle[-1]}" "${balanced_idle[-1]}" \
    "$(shares <"$workspace/balanced.json")" "$(load)"
done
printf 'cnn-ref, 2 ranks, medians of %s rounds: rank 1 sharing its core: even shares %.0f img/s, --balance-ranks %.0f img/s (%sx); both cores free: even %.0f, --balance-ranks %.0f (%sx)\n' \
  "$rounds" "$(median "${even_slow[@]}")" "$(median "${balanced_slow[@]}")" \
  "$(/usr/bin/python3 -c "print(round($(median "${balanced_slow[@]}")/$(median "${even_slow[@]}"), 2))")" \
  "$(median "${even_idle[@]}")" "$(median "${balanced_idle[@]}")" \
  "$(/usr/bin/python3 -c "print(round($(median "${balanced_idle[@]}")/$(median "${even_idle[@]}"), 2))")"
edge_1x2=$(run 2 "${ref[@]}" --batch 128 | throughput)
# Two ranks with the default --threads (all cores) as torchrun starts them: each bound to its core
# (LOCAL_WORLD_SIZE=2), and unbound (LOCAL_WORLD_SIZE unset: every rank one thread per core of the machine).
default_threads=(train --data fmnist --arch cnn-ref --lr 0.001 --optimizer adam --schedule constant --weight-decay 0
                 --augment none --epochs 1 --max-seconds "$seconds" --json --batch 256 --distributed)
default_bound=$(two_ranks "$edgeloop" --workspace "$workspace" --quiet "${default_threads[@]}" | throughput)
default_unbound=$(two_ranks env LOCAL_WORLD_SIZE= "$edgeloop" --workspace "$workspace" --quiet "${default_threads[@]}" | throughput)
printf 'cnn-ref, 2 ranks with the default --threads: bound to a core each %.0f img/s, unbound %.0f img/s\n' "$default_bound" "$default_unbound"
edge_1x1=$(median "${ref_1x1[@]}") edge_bound=$(median "${ref_bound[@]}") edge_2x1=$(median "${ref_2x1[@]}")
edge_best=$(/usr/bin/python3 -c "print(max($edge_1x1, $edge_bound))")
peer_1=$(median "${peer_1x1[@]}") peer_2=$(median "${peer_2x1[@]}")
small_one=$(median "${small_1x1[@]}") small_two=$(median "${small_2x1[@]}")
printf 'cnn-ref, 128 img per rank-step, %s s each, medians of %s rounds: edgeloop 1 process x 1 thread %.0f img/s (bound to one core %.0f), 1 x 2 threads %.0f img/s (once), 2 ranks x 1 thread %.0f img/s (efficiency %s%% of 2 x the faster 1 x 1, target >= 85%%; allreduce wait %.2f ms/step)\n' \
  "$seconds" "$rounds" "$edge_1x1" "$edge_bound" "$edge_1x2" "$edge_2x1" "$(efficiency "$edge_2x1" "$edge_best")" "$(median "${ref_waits[@]}")"
printf 'cnn-ref, peer PyTorch DDP gloo: 1 rank x 1 thread %.0f img/s, 2 ranks x 1 thread %.0f img/s (efficiency %s%%); edgeloop 2 ranks / DDP 2 ranks = %sx\n' \
  "$peer_1" "$peer_2" "$(efficiency "$peer_2" "$peer_1")" "$(/usr/bin/python3 -c "print(round($edge_2x1/$peer_2, 2))")"
printf 'cnn-m:w=0.5, 128 img per rank-step: edgeloop 1 x 1 thread %.0f img/s, 2 ranks x 1 thread %.0f img/s (efficiency %s%%, allreduce wait %.2f ms/step)\n' \
  "$small_one" "$small_two" "$(efficiency "$small_two" "$small_one")" "$(median "${small_waits[@]}")"
printf '2 ranks against the sum of their own speeds in the same run (what synchronising costs, medians): cnn-ref %s%%, cnn-m:w=0.5 %s%%\n' \
  "$(median "${ref_sync[@]}")" "$(median "${small_sync[@]}")"
echo "load after throughput: $(load)"
[ "$full" = 1 ] || exit 0

# 3. Time to accuracy, the same recipe in each layout.
recipe=(train --data fmnist --arch cnn-m:w=0.5 --epochs 3 --batch 128 --lr 0.01 --schedule onecycle --json)
report_recipe() {
  local label="$1" json="$2" model trained accuracy
  model=$(json_field 'd["model"]' <<<"$json")
  trained=$(json_field 'd["metrics"]["training_seconds"]' <<<"$json")
  accuracy=$(test_accuracy "$model")
  printf 'time to accuracy, %s: trained %.1f s, official test accuracy %.2f%% (target 91%%)\n' "$label" "$trained" "$accuracy"
}
report_recipe "1 process x 1 thread" "$(run 1 "${recipe[@]}")"
report_recipe "1 process x 2 threads" "$(run 2 "${recipe[@]}")"
report_recipe "2 ranks x 1 thread (global batch 128)" \
  "$(two_ranks "$edgeloop" --workspace "$workspace" --threads 1 --quiet "${recipe[@]}" --distributed)"

# 4. Projection on paper from measured 1-thread step times.
cnn_m_parameters=$(parameters cnn-m)
resnet_parameters=$(parameters resnet)
cnn_m_rate=$(run 1 train --data fmnist --arch cnn-m --epochs 1 --batch 128 --max-seconds 30 --json | throughput)
resnet_rate=$(run 1 train --data fmnist --arch resnet --epochs 1 --batch 128 --max-seconds 30 --json | throughput)
/usr/bin/python3 "$here/project_scaling.py" --allreduce "$workspace/allreduce.jsonl" \
  --model "cnn-m:w=0.5" "$small_parameters" "$small_one" \
  --model "cnn-m" "$cnn_m_parameters" "$cnn_m_rate" \
  --model "resnet" "$resnet_parameters" "$resnet_rate"
echo "load at end: $(load)"
