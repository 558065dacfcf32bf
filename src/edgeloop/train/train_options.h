// TrainOptions: everything that shapes one training run, filled by the CLI flags and a
// train.yaml (same keys), stored as JSON in the run's config. Read by the Trainer. Plain value.
// The recipe fields (optimizer, schedule, lr, weight decay, augment, epochs) are optional: unset
// means "the architecture's default recipe" (training_recipe.h), filled in before training.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct TrainOptions {
  std::string data;                  // dataset NAME or NAME@N
  std::string arch = "cnn-s";        // ArchSpec text
  std::optional<int> epochs;         // upper bound; early stopping may end sooner. Unset: the
                                     // recipe's, or as many as --max-seconds allows when it is given
  int batch = 128;                   // images per step
  std::optional<double> learning_rate;   // peak learning rate; unset: the recipe's
  bool find_learning_rate = false;   // lr "auto": a range test picks the peak rate before training
  std::optional<std::string> optimizer;  // adam, adamw, sgd (with momentum); unset: the recipe's
  double momentum = 0.9;             // sgd only
  std::optional<double> weight_decay;    // L2 (adam, sgd) or decoupled (adamw); unset: the recipe's
  std::optional<std::string> schedule;   // constant, cosine, step, onecycle; unset: the recipe's
  int step_epochs = 5;               // step schedule: epochs between decays
  double step_factor = 0.1;          // step schedule: multiplier at each decay
  double label_smoothing = 0.0;      // 0..<1
  bool class_weights = false;        // weight the loss by inverse class frequency
  std::optional<std::string> augment;    // e.g. "flip,shift=2,rotate=10" ("" = none); unset: the recipe's
  int patience = 5;                  // early stopping: epochs without a new best validation loss
  double min_delta = 1e-4;           // early stopping: smaller improvements do not count
  std::string from_model;            // transfer learning: start from this model ("" = from scratch)
  int freeze_blocks = 0;             // transfer learning: freeze the first N blocks
  int unfreeze_after = 0;            // transfer learning: unfreeze everything after this epoch (0 = never)
  bool keep_classifier = false;      // transfer learning: keep the --from model's classifier layer too when this
                                     // data has its class list (same names, same order): fine-tuning on more data
                                     // of the same task (retrain). Another class list still gets a new one
  int threads = 0;                   // compute threads (0 = all cores)
  uint64_t seed = 42;                // weights init, shuffling, augmentation, dropout
  bool resume = false;               // continue the newest unfinished run with these options
  double max_seconds = 0;            // stop after this much training time (0 = no limit)
  int64_t max_steps = 0;             // stop after this many optimizer steps; the schedule follows it (0 = no limit)
  int loader_threads = 1;            // background threads that assemble batches
  bool balance_ranks = false;        // data-parallel: shares of each batch follow the ranks' measured speed

  // Unset optional fields are left out (a stored run's config is written after the recipe filled them).
  Json to_json() const;
  // Keys as in to_json(); unknown keys are an error naming the key and the file.
  static TrainOptions from_json(const Json& json, const std::string& source_name);
  // Throws Error(kInvalidArgument) naming the first bad option and its allowed range. Unset recipe
  // fields pass (they are filled from the recipe, which is valid).
  void validate() const;
  // True when every recipe field is set (with_default_recipe has run): what the Trainer needs.
  bool resolved() const;
  // A key for "the same training": what --resume matches on (seed, arch, data, hyper-parameters).
  std::string fingerprint() const;
};

}  // namespace edgeloop
