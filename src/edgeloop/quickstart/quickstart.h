// The quickstart: the whole loop on Debian's Fashion-MNIST in one call, for `edgeloop quickstart`
// and `make demo`: workspace, import, balance check, split with the official test set kept apart,
// classic baseline and the architecture ladder swept by successive halving within the budget, the fit diagnosis, export
// (fp32 + int8), bench, one test on the official set, then edgeloop-edge on a `sim:` stream with a
// drift injected part-way and a camera fault later, capturing frames; reports and a summary. With
// `loop.enabled` the loop closes on those captures (quickstart_loop.h): oracle labels, retrain,
// gate, and the challenger pushed to a running edgeloop-edge.
// Each step calls the same library function as its CLI command (import_dataset, split_dataset,
// run_sweep, export_model, run_benchmark, test_model, ...), so the stages' checks and the ledger
// rule (one test per model and test set) hold here too. edgeloop-edge runs as a child process: it is
// the device binary, kept apart from the toolkit as a device would be. Safe to run twice: each step
// finds what an earlier run left (the registry, quickstart.json in the folder) and reuses it.
// One call at a time per folder.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/core/progress.h"
#include "edgeloop/quickstart/quickstart_loop.h"

namespace edgeloop {

struct SweepRow;   // train/sweep.h

// The Progress::stage of the quickstart's own step calls (the stages report under their names).
inline constexpr const char* kQuickstartStage = "quickstart";

struct QuickstartOptions {
  std::filesystem::path directory = "edgeloop-quickstart";              // workspace folder (created or reused)
  double minutes = 10.0;                                                // budget for the whole run (wall clock)
  std::filesystem::path dataset = "/usr/share/datasets/fashion-mnist";  // IDX files (train + t10k)
  std::string dataset_name = "fmnist";                                  // name in the registry
  std::string archs = "knn:hog,linear,mlp,cnn-s,cnn-m";                 // classic baseline, then the ladder
  int epochs = 0;                                                       // final sweep rung at most; 0: what the budget allows
  double sweep_share = 0.7;                                             // share of the budget the sweep may use
  int threads = 0;                                                      // compute threads (0 = all cores)
  int stream_frames = 900;                                              // test images streamed to the device
  std::string drift = "contrast:0.35@300";                              // sim corruption of the drift segment
  int drift_window_frames = 200;                                        // frames the device's drift detector tests at once
  std::string camera_fault = "black@200";                               // sim corruption of the fault segment
  double capture_drift_rate = 0.05;                                     // share of frames the device captures while drift is active
  int bench_images = 500;                                               // validation images the bench scores
  std::filesystem::path edge_binary;                                    // edgeloop-edge; empty: found beside the toolkit
  // One call per step (stage kQuickstartStage, done/total over the steps), and in between the
  // stages' own progress (import, epochs, export, bench rows) under their stage names.
  ProgressCallback progress;
  std::function<void(const SweepRow&)> on_sweep_rung;                   // after each sweep candidate's rung
  QuickstartLoopOptions loop;                                           // --loop: close the loop on the captures
};

struct QuickstartSummary {
  std::filesystem::path workspace;
  std::string dataset_version;          // NAME@N after the split
  std::string balance;                  // "balanced (ratio 1.00)" or the warning
  std::string sweep_id;
  std::string stop_reason;              // why the sweep stopped
  std::string picked_model;
  std::string picked_arch;
  std::string pick_reason;
  std::string diagnosis;                // the pick's fit verdict
  double val_accuracy = 0.0;            // 0..1
  double test_accuracy = 0.0;           // 0..1, on the official test set
  std::string test_note;                // "first use" or "tested by an earlier run; not repeated"
  // Batch-1 p50 in milliseconds on 1 thread of every engine that export timed on the bundle (its
  // engine_ranking), fastest first: (engine, p50).
  std::vector<std::pair<std::string, double>> engine_latency_ms;
  int64_t size_fp32_bytes = 0;
  int64_t size_int8_bytes = 0;
  int64_t drift_events = 0;             // drift raised while the drifting stream ran
  int64_t camera_events = 0;            // camera faults raised while the faulty stream ran
  int64_t frames_captured = 0;          // by both runs
  std::filesystem::path bundle;
  std::filesystem::path edge_log;
  std::filesystem::path deploy_directory;
  std::vector<std::filesystem::path> reports;   // model, sweep, edge HTML (and loop with --loop)
  std::optional<LoopSummary> loop;               // with --loop
  double seconds = 0.0;                          // wall time of this call

  // (what, value) rows for the closing table.
  std::vector<std::pair<std::string, std::string>> table() const;
  Json to_json() const;
};

// Throws the failing stage's Error (its message names the file and the fix), or Error(kNotFound)
// when the dataset or edgeloop-edge is missing.
QuickstartSummary run_quickstart(const QuickstartOptions& options);

}  // namespace edgeloop
