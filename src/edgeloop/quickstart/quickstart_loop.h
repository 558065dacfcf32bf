// The quickstart's loop (`edgeloop quickstart --loop --oracle`): after the drift stage, the device's
// captures come back and the loop closes on them — imported (`data import --format capture`),
// labelled by the oracle (the `sim:` stream's frames carry their true class; provenance oracle;
// at most `max_labels`, most uncertain first), split with a fresh captured test set, a challenger
// retrained on the champion's data ∪ the new labels, the gate on the frozen test sets, and, when it
// passes, the challenger pushed over HTTP to a running edgeloop-edge on the drifted stream, whose
// log gives the accuracy on the same drifted images before and after the swap. Each step calls the
// library function of its CLI command (import_dataset, LabellingSession, split_dataset,
// retrain_on_union, promote_challenger, export_model, push_bundle_to_device); the loop report
// (report/loop_report.h) is written last. Called by run_quickstart; one call at a time per workspace.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/core/progress.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/deploy/device_push.h"
#include "edgeloop/promote/gate.h"
#include "edgeloop/report/stream_accuracy.h"

namespace edgeloop {

struct QuickstartLoopOptions {
  bool enabled = false;              // --loop: close the loop after the drift stage
  bool oracle = false;               // --oracle: the labeller is the sim: stream's truth (required with --loop)
  int64_t max_labels = 500;          // most captures labelled (0: all)
  std::string order = "entropy";     // which captures first: entropy, margin, capture or random (labelling_session.h)
  double captured_test_share = 0.2;  // of the labelled captures, kept apart as the fresh captured test set
  double captured_val_share = 0.1;   // and for validation
  double retrain_seconds = 120;      // the challenger's training budget
  int retrain_epochs = 0;            // 0: the champion's, capped by the budget
  bool retrain_from_scratch = false; // train the champion's architecture anew on the union instead of fine-tuning it
  double max_recall_drop_points = 3.0;   // the gate's per-class recall limit on the original test set
  double stream_fps = 300;           // the swap run's pace (frames per second)
};

// What one pass of the loop did, in the order it did it.
struct LoopSummary {
  std::string captures_version;                        // NAME@N of the imported capture folder
  int64_t captures = 0;                                // frames imported
  std::map<std::string, int64_t> captures_by_reason;   // low_confidence, drift, random
  std::string labelled_version;                        // the version labelling made
  int64_t labels = 0;                                  // labels the oracle gave
  std::map<std::string, int64_t> labels_by_provenance;
  std::vector<int64_t> labelled_items;                 // the stream images (pack positions) those labels are of
  std::string captured_test_set;                       // "test:captured-..."
  std::string champion_id;
  std::string challenger_id;
  GateResult gate;
  bool promoted = false;
  std::string decision;                                // one line: why it was promoted or kept
  std::optional<DevicePushOutcome> push;               // when promoted: what the device did
  SwapAccuracy accuracy;                               // the drifted stream before and after the swap
  int64_t drift_from_frame = 0;
  double retrain_seconds = 0.0;
  double gate_seconds = 0.0;
  double push_seconds = 0.0;                           // export + upload + swap + probation verdict (not the
                                                       // stream's passes before and after it)
  std::filesystem::path stream_log;                    // the swap run's JSONL
  std::filesystem::path report;                        // loop.html

  double retrain_gate_push_seconds() const { return retrain_seconds + gate_seconds + push_seconds; }
  std::vector<std::pair<std::string, std::string>> table() const;
  Json to_json() const;
};

// What the quickstart hands the loop.
struct LoopInputs {
  Workspace workspace;
  std::filesystem::path edge_binary;
  std::string picked_model;            // the quickstart's pick: the champion unless an earlier loop promoted one
  std::filesystem::path picked_bundle; // its bundle
  std::filesystem::path stream_pack;   // the image pack the device streamed (with each image's class)
  int64_t stream_images = 0;           // images in it
  std::filesystem::path captures;      // the device's capture folder
  std::string drift;                   // the sim: corruption of the drifted stream, KIND[:STRENGTH]@FRAME
  int threads = 0;
  ProgressCallback progress;           // the stages' own progress (epochs, export)
};

inline constexpr int kLoopSteps = 7;   // the step() calls run_quickstart_loop makes

// Throws the failing stage's Error; Error(kInvalidArgument) when options.oracle is not set. A gate
// refusal or a device rollback is not an error: the summary says so.
LoopSummary run_quickstart_loop(const LoopInputs& inputs, const QuickstartLoopOptions& options,
                                const std::function<void(const std::string&)>& step);

// The quickstart's export of a model: fp32 + int8, checked on the device engines and ranked, to
// `directory` (replaced). Used for the pick and for the loop's challenger.
void export_device_bundle(const Workspace& workspace, const std::string& model_id, const std::filesystem::path& directory,
                          int threads, const ProgressCallback& progress);

}  // namespace edgeloop
