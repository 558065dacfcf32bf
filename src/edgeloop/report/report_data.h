// The plain data each report kind shows, independent of where it came from: report_loader.h fills
// it from a workspace's registry or an edge run log; tests fill it directly. Evaluations, sweeps and
// edge logs are also read from the JSON the other stages store (evaluation results, the sweep
// result, edgeloop-edge's JSONL log). Plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/registry/run_store.h"

namespace edgeloop {

// Samples per class in each split of a dataset version.
struct ClassBalance {
  std::string dataset_version;                        // NAME@number or id
  std::vector<std::string> classes;                   // index = label id
  std::map<std::string, std::vector<int64_t>> counts; // split ("train", "val", "test:official") → per class
};


struct RunSummary {
  std::string run_id;
  std::string arch;
  std::string dataset_version;
  std::string status;
  std::string code_commit;
  int64_t seed = 0;
  Json config = Json::object();
  std::vector<EpochRecord> epochs;   // registry/run_store.h
  Json diagnosis;                   // {"verdict", "reasons", "advice"} or null
};

// One evaluation: a split's accuracy and confusion matrix (rows: true, columns: predicted).
struct EvaluationSummary {
  std::string split;                // val, train, test:<name>
  double accuracy = 0.0;            // 0..1
  std::string created_at;
  bool forced = false;
  int earlier_models = 0;           // models tested on this test set before (reuse)
  std::vector<std::string> labels;
  std::vector<std::vector<double>> confusion;
};

struct ModelSummary {
  std::string model_id;
  std::string kind;                 // torch, classic
  std::string arch;
  int64_t parameters = 0;
  double mflops = 0.0;              // per image
  std::optional<double> val_accuracy;
};

// Report kinds.
struct RunReportData {
  RunSummary run;
  std::optional<ClassBalance> balance;
};

struct ModelReportData {
  ModelSummary model;
  std::optional<RunSummary> run;
  std::optional<ClassBalance> balance;
  std::vector<EvaluationSummary> evaluations;
  Json bench;                        // benchmark_to_json(...) or null
};

struct SweepPoint {
  std::string name;                  // arch or model id
  double accuracy = 0.0;             // validation, 0..1
  double latency_ms = 0.0;           // batch-1 p50
  double size_kb = 0.0;              // the file the device loads (ONNX fp32 for a network), KiB
  int rung = 0;                      // successive-halving rung reached (0: a baseline, trained once)
  int rungs = 0;                     // rungs in the sweep's plan
  std::string status;                // "final rung", "stopped after rung 1 of 3 ...", "baseline"
  bool on_front = false;
  bool picked = false;
};

struct SweepReportData {
  std::string sweep_id;
  std::string dataset_version;
  std::vector<SweepPoint> points;
  std::string pick_reason;
  Json table = Json::array();        // the sweep's own rows, shown as a table
};

// An edgeloop-edge JSONL log, reduced to time series over the frame index. A log that several runs
// appended to holds one segment per run: each run's frames continue the axis after the previous
// run's, every series holds a NaN point between two runs (the charts draw no line across), and a
// "run" event marks where each later run starts.
struct EdgeLogData {
  std::string source_path;
  int64_t predictions = 0;                 // prediction lines (the series below also hold the NaN run breaks)
  std::vector<double> frames;              // prediction frames
  std::vector<double> confidence;          // top-1 score per prediction (0..1)
  std::vector<double> latency_ms;          // total latency per prediction
  std::vector<double> health_frames;       // frame index of each health line (state changes and the sampled lines)
  std::vector<double> brightness;          // mean gray level (0..255)
  std::vector<double> sharpness;           // variance of the Laplacian
  std::vector<double> health_state;        // 0 ok, 1 degraded, 2 failed
  std::vector<double> drift_frames;        // frames where drift tests were published
  std::vector<double> drift_active;        // 0/1 after each published test
  struct Event {
    double frame = 0.0;
    std::string kind;                      // drift, drift cleared, camera, run, status
    std::string detail;
  };
  std::vector<Event> events;
  int64_t captures = 0;
  int runs = 0;                            // runs in the log ("started" status lines; at least 1)
  Json summary;                            // the final status "stopped" summary, if present
};

EvaluationSummary evaluation_summary_from_json(const Json& value);
SweepReportData sweep_report_from_json(const Json& value);
// Parses a JSONL log (one object per line; non-prediction lines carry "topic"). Lines that are not
// JSON are counted and skipped; throws Error(kInvalidArgument) when none parses.
EdgeLogData edge_log_from_jsonl(const std::string& text, const std::string& source_path);

}  // namespace edgeloop
