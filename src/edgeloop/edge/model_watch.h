// ModelWatch: judges a freshly swapped model on its first live frames against the model it
// replaced, so a bundle that verifies but misbehaves on the stream (engine errors, much slower,
// confidence collapsed) is rolled back by the device itself. The pipeline reports every frame it
// inferred or failed; the watch keeps the serving model's last frames as the baseline and, on
// probation, returns the verdict once the candidate's frames are in. Used by ModelSwapper.
// Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct WatchOptions {
  int probation_frames = 50;              // a new model's frames judged; 0 = no probation
  int max_engine_errors = 0;              // failed frames tolerated on probation
  double max_latency_ratio = 3.0;         // candidate median inference time / previous's; 0 = not judged
  double min_confidence_ratio = 0.5;      // candidate mean top-1 probability / previous's; 0 = not judged
  double collapse_share = 0.98;           // share of frames on one class that counts as collapsed...
  double collapse_baseline_share = 0.9;   // ...when the previous model's share stayed below this
  int min_baseline_frames = 10;           // fewer previous frames: only engine errors are judged
};

// One frame as the watch sees it.
struct FrameRecord {
  bool failed = false;            // the engine threw
  double infer_seconds = 0.0;
  double top1_probability = 0.0;
  int top1_class = -1;
};

// Figures over a window of one model's frames.
struct WindowFigures {
  int frames = 0;
  int errors = 0;
  double median_infer_ms = 0.0;
  double mean_top1_probability = 0.0;
  double top_class_share = 0.0;   // share of the frames whose top-1 is the most frequent class
  Json to_json() const;
};

enum class ProbationVerdict { kPassed, kFailed };

struct ProbationResult {
  ProbationVerdict verdict = ProbationVerdict::kPassed;
  std::string reason;             // the failed condition with its numbers; empty when passed
  std::string candidate_model_id;
  WindowFigures previous;
  WindowFigures candidate;
  Json to_json() const;
};

class ModelWatch {
 public:
  explicit ModelWatch(WatchOptions options = {});

  // The serving model's recent frames become the baseline; `candidate_model_id`'s frames are judged.
  void begin_probation(const std::string& candidate_model_id);
  void cancel_probation();
  // Records one frame of `model_id`. Returns the verdict on the frame that ends probation (the
  // last judged frame, or the first engine error beyond the tolerance), nullopt otherwise.
  std::optional<ProbationResult> observe(const std::string& model_id, const FrameRecord& frame);
  bool on_probation() const;
  Json status() const;   // {"on_probation", "candidate", "frames_seen", "frames_needed"}
  const WatchOptions& options() const { return options_; }

 private:
  ProbationResult judge() const;   // under mutex_

  WatchOptions options_;
  mutable std::mutex mutex_;
  std::string serving_model_id_;
  std::deque<FrameRecord> serving_;     // the serving model's last probation_frames frames
  bool on_probation_ = false;
  std::string candidate_model_id_;
  std::deque<FrameRecord> baseline_;    // frozen at begin_probation
  std::deque<FrameRecord> candidate_;
  int candidate_errors_ = 0;            // failed frames in candidate_
};

}  // namespace edgeloop
