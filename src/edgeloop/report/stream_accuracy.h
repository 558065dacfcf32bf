// Stream accuracy: how right a device was on a simulated stream whose frames carry their true class
// (an image pack exported with labels, streamed as `sim:`): the scored frames of an edgeloop-edge
// JSONL log, and the accuracy of the two models either side of a swap on the same images. Called by
// the quickstart's loop and the loop report. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace edgeloop {

// One prediction line of a log that carries the frame's true class.
struct ScoredFrame {
  int64_t frame = 0;        // frame index in the run
  int64_t item = -1;        // the image's position in its pack (the same image when the stream loops)
  std::string model_id;     // the model that predicted it
  bool correct = false;     // predicted label == true class
};

// The prediction lines with a "truth", in log order. Lines that are not JSON or not predictions are
// skipped. Throws Error(kNotFound) naming the file when it cannot be read.
std::vector<ScoredFrame> scored_frames_from_jsonl(const std::filesystem::path& log);

// Both models on the same drifted images, as in a paired test.
struct SwapAccuracy {
  int64_t first_new_frame = -1;      // the first frame the new model predicted; -1: it never did
  int64_t images = 0;                // images both models predicted on drifted frames, none excluded
  int64_t before_correct = 0;        // of those, the old model's right answers (its last on each image)
  int64_t after_correct = 0;         // the new model's (its first on each image)
  double before() const { return images ? static_cast<double>(before_correct) / images : 0.0; }   // 0..1
  double after() const { return images ? static_cast<double>(after_correct) / images : 0.0; }     // 0..1
};

// `drift_from_frame`: frames before it are clean and not counted; `excluded_items`: images whose
// frames were labelled for the new model's training (not counted either).
SwapAccuracy swap_accuracy(const std::vector<ScoredFrame>& frames, const std::string& old_model, const std::string& new_model,
                           int64_t drift_from_frame, const std::set<int64_t>& excluded_items);

}  // namespace edgeloop
