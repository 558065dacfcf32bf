// Sweep: the exploratory phase as one command. Trains the classic baselines first, then the
// network candidates by successive halving (sweep_plan.h): a short rung for each, the better half
// on to a rung twice as long, within a budget counted in training steps calibrated on this machine
// at the start. Each candidate trains with its architecture's default recipe unless options say
// otherwise. Records for each candidate the rung it reached, its validation accuracy, single-image
// latency, bundle size, parameters, MFLOPs and fit diagnosis; stops as soon as one meets the
// target accuracy within the latency budget. Marks the Pareto front (accuracy vs latency) and the
// pick, and stores the table in the registry's sweeps table. LibTorch. One sweep at a time per workspace.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/models/model_probe.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/train/trainer.h"

namespace edgeloop {

struct SweepRow;

struct SweepOptions {
  std::string data;                    // dataset NAME[@N]
  std::vector<std::string> archs;      // empty = "knn:hog" + the whole ladder
  double target_accuracy = 0;          // 0..1; 0 = no target: try every architecture
  double max_latency_ms = 0;           // single-image latency budget; 0 = none
  double budget_minutes = 0;           // budget for the whole sweep, converted to training steps at the
                                       // start by a calibration; 0 = none (the final rung is `train.epochs`)
  // The plan's costs: the fastest this machine has shown for each candidate's step and for the
  // preamble before the rungs (step_cost_memory.h; the same plan, and pick, busy or idle: a busy
  // machine overruns the budget), or false: this sweep's own (the budget is wall time: the quickstart's --minutes).
  bool plan_on_fastest_step_costs = true;
  // Per-architecture training options (arch, data, epochs and max_steps are set per rung). Unset
  // recipe fields: each architecture's default recipe. `train.epochs`: the final rung's length at most.
  TrainOptions train;
  int latency_repeats = 50;            // timed single-image inferences per model (median)
  int calibration_steps = 7;           // timed training steps per candidate at the start (their median counts)
  // Times a trained model on the device's engine and sizes its file. The train stage cannot link
  // the engines, so the toolkit passes runtime/'s device_latency_probe; when empty, LibTorch (or
  // OpenCV ml for a baseline) on one thread stands in, the row says so, and the size is the weights file's.
  std::function<ModelProbe(const Workspace&, const StoredModel&)> latency_probe;
  // Called after every rung of every candidate, and once for each baseline (the CLI prints a line).
  std::function<void(const SweepRow&)> on_rung;
};

struct SweepRow {
  std::string arch;
  std::string model_id;
  std::string kind;                    // torch, classic
  double val_accuracy = 0;             // 0..1
  double latency_ms = 0;               // median single-image inference, 1 thread
  std::string latency_engine;          // what timed it: xnnpack, classic, torch
  int64_t bundle_bytes = 0;            // the model file the device loads (ONNX fp32 for a network)
  int rung = 0;                        // 1-based rung reached; 0 for a classic baseline (trained once)
  int rungs = 0;                       // rungs in the plan
  int64_t steps = 0;                   // optimizer steps of the rung reached
  std::string status;                  // "final rung", "stopped after rung 1 of 3 (not in the better half)", "baseline"
  int64_t parameters = 0;
  double mflops = 0;
  std::string diagnosis;               // verdict
  double training_seconds = 0;
  bool meets_target = false;           // accuracy ≥ target and latency within budget
  bool pareto = false;                 // no other row is both more accurate and faster
  bool pick = false;
};

struct SweepResult {
  std::string id;                      // "s-" + 12 hex
  std::vector<SweepRow> rows;          // in the order trained
  std::vector<std::string> skipped;    // architectures not trained (stopped early)
  std::string stop_reason;             // "target met by cnn-s", "successive halving finished: ..."
  std::string plan;                    // the rungs, e.g. "3 rungs of 105, 211, 422 steps (final 1.0 epoch)"
  double calibration_seconds = 0;      // time the step calibration took
  double planned_preamble_seconds = 0; // what the plan counted as spent before the rungs (data, baselines,
                                       // calibration): the fastest this machine has shown, or this run's
  int training_threads = 0;            // threads the rungs trained with (the calibration's fastest); 0: no rungs
  Json to_json() const;
  static SweepResult from_json(const Json& json);   // what to_json() wrote (the quickstart reuses a stored sweep)
};

// Marks pareto and pick on `rows` (exposed for tests). Pick: the first row meeting the target;
// else the most accurate within the latency budget; else the most accurate.
void mark_pareto_and_pick(std::vector<SweepRow>& rows, double max_latency_ms);

// Splits a comma-separated list ("knn:hog,linear,cnn-m:w=0.5,d=2") into architecture texts: an item
// with '=' but no ':' continues the previous one, whose options use commas too.
std::vector<std::string> parse_architecture_list(const std::string& text);

// Orders architecture texts smallest first: classic baselines, then networks by MFLOPs.
std::vector<std::string> smallest_first(const std::vector<std::string>& archs, const InputShape& input, int classes);

SweepResult run_sweep(const Workspace& workspace, const SweepOptions& options, const TrainerCallbacks& callbacks);

}  // namespace edgeloop
