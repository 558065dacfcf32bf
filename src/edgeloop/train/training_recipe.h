// TrainingRecipe: how one architecture family trains best here when the user gives no flag — the
// optimizer, learning-rate schedule, peak rate, weight decay and augmentation measured by
// bench/train/run_recipe_bench.sh on Fashion-MNIST. `train_model` fills every option the user left
// unset from it, the CLI prints the result before the run, and the run's config stores it.
// Pure; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "edgeloop/train/train_options.h"

namespace edgeloop {

struct TrainingRecipe {
  std::string family;            // the ArchSpec family it is for ("cnn-s"); "classic" for baselines
  std::string optimizer;         // adam, adamw, sgd
  std::string schedule;          // constant, cosine, step, onecycle
  double learning_rate = 0;      // peak rate
  double weight_decay = 0;
  std::string augment;           // AugmentSpec text, "" = none
  std::string evidence;          // what the recipe reached when it was measured, for `--help` and the docs
};

// The recipe of `arch`'s family (ArchSpec text, e.g. "cnn-m:w=0.5"). A classic baseline has no
// training loop: its recipe is empty and ignored. Throws Error(kInvalidArgument) on an unknown family.
TrainingRecipe default_recipe(const std::string& arch);

// The recipe `options` train with: default_recipe(options.arch), or the transfer-learning recipe
// (a tenth of the rate) when options.from_model is set.
TrainingRecipe recipe_for(const TrainOptions& options);

// `options` with every unset recipe field (optimizer, schedule, lr, weight decay, augment, epochs)
// taken from recipe_for(options). Given fields are kept. Idempotent.
TrainOptions with_default_recipe(TrainOptions options);

// (name, value, where it came from) for each recipe field of resolved options, "given" or
// "cnn-s default": what the CLI prints at the start of a run.
struct RecipeField {
  std::string name;
  std::string value;
  bool given = false;
};
std::vector<RecipeField> describe_recipe(const TrainOptions& given);

}  // namespace edgeloop
