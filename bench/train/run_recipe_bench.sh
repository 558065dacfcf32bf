#!/usr/bin/env bash
# Issue 13's training targets, measured in one run on this machine (figures beside their peers):
#   1. `edgeloop train --data fmnist --arch cnn-s --epochs 3` with no other flag (the default recipe)
#      against the old defaults (Adam, constant 1e-3, no decay) in the same run; target >= 89% val.
#   2. `--find-lr` on cnn-s and cnn-m: the suggested rate and the test's time (target <= 30 s),
#      against the best of five fixed peak rates, each trained with the recipe for --fixed-epochs;
#      target: the suggestion within 2x of the best fixed rate.
#   3. with --families: the recipe of linear, mlp, mobilenet and resnet against two other peak
#      rates (x0.3, x3), --family-epochs each: where the recipe's rate stands.
# Usage: bench/train/run_recipe_bench.sh [--edgeloop BUILD/src/cli/edgeloop] [--threads 2]
#          [--fixed-epochs 1] [--families] [--family-epochs 2] [--skip-lr] [--skip-default]
#          [--workspace DIR]   (a workspace that already holds fmnist split with --keep-origin-test official)
# Prints one line per figure and the load average (1-minute) at the start of each; other jobs on
# the machine change every figure, so compare figures of one run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
edgeloop="${here}/../../build/src/cli/edgeloop"
threads=2
fixed_epochs=1
families=0
family_epochs=2
skip_lr=0
skip_default=0
workspace=""
while [ $# -gt 0 ]; do
  case "$1" in
    --edgeloop) edgeloop="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --fixed-epochs) fixed_epochs="$2"; shift ;;
    --families) families=1 ;;
    --family-epochs) family_epochs="$2"; shift ;;
    --skip-lr) skip_lr=1 ;;
    --skip-default) skip_default=1 ;;
    --workspace) workspace="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
idx_dir=/usr/share/datasets/fashion-mnist
fresh=0
if [ -z "$workspace" ]; then
  workspace="$(mktemp -d /tmp/edgeloop-recipe-bench-XXXXXX)"
  trap 'rm -rf "$workspace"' EXIT
  fresh=1
fi
run() { "$edgeloop" --workspace "$workspace" --threads "$threads" --quiet "$@"; }
field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
load() { cut -d' ' -f1 /proc/loadavg; }
percent() { /usr/bin/python3 -c "print(f'{$1*100:.2f}%')"; }
val_of() { run --json train --data fmnist "$@" | field 'd["metrics"]["val_accuracy"]'; }

if [ "$fresh" = 1 ]; then
  run init "$workspace" >/dev/null
  run data import "$idx_dir" --name fmnist >/dev/null
  run data split fmnist --keep-origin-test official --val 0.1 >/dev/null
fi

# 1. No flags but the architecture and 3 epochs, beside the old defaults.
if [ "$skip_default" = 0 ]; then
echo "load $(load): cnn-s, 3 epochs"
recipe=$(val_of --arch cnn-s --epochs 3)
old=$(val_of --arch cnn-s --epochs 3 --optimizer adam --schedule constant --lr 0.001 --weight-decay 0 --augment none)
echo "cnn-s 3 epochs, no flags (default recipe): val $(percent "$recipe") (target >= 89%); old defaults (adam, constant 1e-3): val $(percent "$old"); load $(load)"
fi

# 2. The learning-rate range test against five fixed rates.
if [ "$skip_lr" = 0 ]; then
  for arch in cnn-s cnn-m; do
    echo "load $(load): $arch, lr range test and five fixed rates of ${fixed_epochs} epoch(s)"
    test_json=$(run --json train --data fmnist --arch "$arch" --find-lr)
    suggested=$(echo "$test_json" | field 'd["suggested_lr"]')
    seconds=$(echo "$test_json" | field 'round(d["seconds"], 1)')
    best_rate=0; best_val=0
    line=""
    for rate in 0.001 0.003 0.01 0.03 0.1; do
      val=$(val_of --arch "$arch" --epochs "$fixed_epochs" --lr "$rate")
      line="$line lr $rate: $(percent "$val");"
      if /usr/bin/python3 -c "import sys; sys.exit(0 if $val > $best_val else 1)"; then best_val=$val; best_rate=$rate; fi
    done
    with_suggested=$(val_of --arch "$arch" --epochs "$fixed_epochs" --lr "$suggested")
    ratio=$(/usr/bin/python3 -c "s=$suggested; b=$best_rate; print(round(max(s/b, b/s), 2))")
    echo "$arch fixed rates ($fixed_epochs epoch(s), recipe schedule):$line best $best_rate"
    echo "$arch --find-lr: suggested $suggested in ${seconds} s (target <= 30 s), ${ratio}x from the best fixed rate $best_rate (target <= 2x); trained at the suggestion: $(percent "$with_suggested") vs best fixed $(percent "$best_val"); load $(load)"
  done
fi

# 3. Each remaining family's recipe rate against a third and three times it.
if [ "$families" = 1 ]; then
  for arch in linear mlp mobilenet resnet; do
    echo "load $(load): $arch, ${family_epochs} epochs at the recipe rate and x0.3, x3"
    recipe_json=$(run --json train --data fmnist --arch "$arch" --epochs "$family_epochs")
    recipe_val=$(echo "$recipe_json" | field 'd["metrics"]["val_accuracy"]')
    rate=$(echo "$recipe_json" | field 'd["config"]["lr"]')
    low=$(/usr/bin/python3 -c "print($rate*0.3)")
    high=$(/usr/bin/python3 -c "print($rate*3)")
    echo "$arch recipe (lr $rate): $(percent "$recipe_val"); lr $low: $(percent "$(val_of --arch "$arch" --epochs "$family_epochs" --lr "$low")"); lr $high: $(percent "$(val_of --arch "$arch" --epochs "$family_epochs" --lr "$high")"); load $(load)"
  done
fi
