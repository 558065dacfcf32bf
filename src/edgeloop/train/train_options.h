// TrainOptions: everything that shapes one training run, filled by the CLI flags and a
// train.yaml (same keys), stored as JSON in the run's config. Read by the Trainer. Plain value.
#pragma once

#include <cstdint>
#include <string>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct TrainOptions {
  std::string data;                  // dataset NAME or NAME@N
  std::string arch = "cnn-s";        // ArchSpec text
  int epochs = 10;                   // upper bound; early stopping may end sooner
  int batch = 128;                   // images per step
  double learning_rate = 1e-3;       // peak learning rate
  std::string optimizer = "adam";    // adam, adamw, sgd (with momentum)
  double momentum = 0.9;             // sgd only
  double weight_decay = 0.0;         // L2 (adam, sgd) or decoupled (adamw)
  std::string schedule = "constant"; // constant, cosine, step, onecycle
  int step_epochs = 5;               // step schedule: epochs between decays
  double step_factor = 0.1;          // step schedule: multiplier at each decay
  double label_smoothing = 0.0;      // 0..<1
  bool class_weights = false;        // weight the loss by inverse class frequency
  std::string augment;               // augmentation spec, e.g. "flip,shift=2,rotate=10" ("" = none)
  int patience = 5;                  // early stopping: epochs without a new best validation loss
  double min_delta = 1e-4;           // early stopping: smaller improvements do not count
  std::string from_model;            // transfer learning: start from this model ("" = from scratch)
  int freeze_blocks = 0;             // transfer learning: freeze the first N blocks
  int unfreeze_after = 0;            // transfer learning: unfreeze everything after this epoch (0 = never)
  int threads = 0;                   // compute threads (0 = all cores)
  uint64_t seed = 42;                // weights init, shuffling, augmentation, dropout
  bool resume = false;               // continue the newest unfinished run with these options
  double max_seconds = 0;            // stop after this much training time (0 = no limit)
  int loader_threads = 1;            // background threads that assemble batches

  Json to_json() const;
  // Keys as in to_json(); unknown keys are an error naming the key and the file.
  static TrainOptions from_json(const Json& json, const std::string& source_name);
  // Throws Error(kInvalidArgument) naming the first bad option and its allowed range.
  void validate() const;
  // A key for "the same training": what --resume matches on (seed, arch, data, hyper-parameters).
  std::string fingerprint() const;
};

}  // namespace edgeloop
