// Sweep: the exploratory phase as one command. Trains the given architectures smallest first
// (classic baselines before networks), records for each the validation accuracy, single-image
// latency, parameters, MFLOPs and fit diagnosis, and stops as soon as one meets the target
// accuracy within the latency budget (or when the time budget is spent). Marks the Pareto front
// (accuracy vs latency) and the pick, and stores the table in the registry's sweeps table.
// LibTorch. One sweep at a time per workspace.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/train/trainer.h"

namespace edgeloop {

struct SweepOptions {
  std::string data;                    // dataset NAME[@N]
  std::vector<std::string> archs;      // empty = "knn:hog" + the whole ladder
  double target_accuracy = 0;          // 0..1; 0 = no target: try every architecture
  double max_latency_ms = 0;           // single-image latency budget; 0 = none
  double budget_minutes = 0;           // wall-clock budget for the whole sweep; 0 = none
  TrainOptions train;                  // per-architecture training options (arch and data are set per row)
  int latency_repeats = 50;            // timed single-image inferences per model (median)
  // Times a trained model on the device's engine: (engine name, median ms of one image). The train
  // stage cannot link the engines, so the toolkit passes runtime/'s device_latency_probe; when
  // empty, LibTorch (or OpenCV ml for a baseline) on one thread stands in and the row says so.
  std::function<std::pair<std::string, double>(const Workspace&, const StoredModel&)> latency_probe;
};

struct SweepRow {
  std::string arch;
  std::string model_id;
  std::string kind;                    // torch, classic
  double val_accuracy = 0;             // 0..1
  double latency_ms = 0;               // median single-image inference, 1 thread
  std::string latency_engine;          // what timed it: xnnpack, classic, torch
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
  std::string stop_reason;             // "target met by cnn-s", "time budget spent", "all architectures tried"
  Json to_json() const;
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
