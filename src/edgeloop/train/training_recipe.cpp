#include "edgeloop/train/training_recipe.h"

#include <cstdio>

#include "edgeloop/models/arch_spec.h"
#include "edgeloop/models/classic_model.h"

namespace edgeloop {

namespace {

constexpr int kDefaultEpochs = 10;
// With --max-seconds and no --epochs, training runs until the time is spent; the one-cycle and
// cosine schedules follow the time budget, so the run still ends annealed.
constexpr int kEpochsWithinTimeBudget = 1000;

// Measured on Fashion-MNIST (bench/train/run_recipe_bench.sh, 2 cores): the peak rate of a one-cycle
// schedule matters most; weight decay and augmentation pay only over longer runs.
// Transfer learning starts from trained weights: a tenth of the from-scratch rate.
const TrainingRecipe kTransferRecipe{"transfer", "adam", "onecycle", 0.001, 0.0, "", ""};

const std::vector<TrainingRecipe>& recipes() {
  static const std::vector<TrainingRecipe> table = {
      {"linear", "adam", "onecycle", 0.003, 0.0, "", ""},
      {"mlp", "adamw", "onecycle", 0.003, 1e-4, "", ""},
      {"cnn-ref", "adam", "onecycle", 0.01, 0.0, "", ""},
      {"cnn-s", "adamw", "onecycle", 0.01, 5e-4, "", ""},
      {"cnn-m", "adam", "onecycle", 0.01, 0.0, "", "cnn-m:w=0.5 reached 91.7% official test in 58 s (bench/train)"},
      {"cnn-l", "adam", "onecycle", 0.005, 0.0, "", ""},
      {"mobilenet", "adam", "onecycle", 0.01, 0.0, "", ""},
      {"resnet", "adam", "onecycle", 0.01, 0.0, "", ""},
  };
  return table;
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

TrainingRecipe default_recipe(const std::string& arch) {
  if (is_classic_arch(arch)) return TrainingRecipe{"classic", "adam", "constant", 1e-3, 0.0, "", "no training loop"};
  const std::string family = ArchSpec::parse(arch).family;
  for (const TrainingRecipe& recipe : recipes()) {
    if (recipe.family == family) return recipe;
  }
  return TrainingRecipe{family, "adam", "onecycle", 0.01, 0.0, "", "no measured recipe: the cnn-m one"};
}

TrainingRecipe recipe_for(const TrainOptions& options) {
  return options.from_model.empty() ? default_recipe(options.arch) : kTransferRecipe;
}

TrainOptions with_default_recipe(TrainOptions options) {
  const TrainingRecipe recipe = recipe_for(options);
  if (!options.optimizer) options.optimizer = recipe.optimizer;
  if (!options.schedule) options.schedule = recipe.schedule;
  if (!options.learning_rate) options.learning_rate = recipe.learning_rate;
  if (!options.weight_decay) options.weight_decay = recipe.weight_decay;
  if (!options.augment) options.augment = recipe.augment;
  if (!options.epochs) options.epochs = options.max_seconds > 0 ? kEpochsWithinTimeBudget : kDefaultEpochs;
  return options;
}

std::vector<RecipeField> describe_recipe(const TrainOptions& given) {
  const TrainOptions resolved = with_default_recipe(given);
  std::vector<RecipeField> fields;
  fields.push_back({"optimizer", *resolved.optimizer, given.optimizer.has_value()});
  fields.push_back({"schedule", *resolved.schedule, given.schedule.has_value()});
  fields.push_back({"lr", given.find_learning_rate && !given.learning_rate ? "auto (range test)"
                                                                           : number_text(*resolved.learning_rate),
                    given.learning_rate.has_value() || given.find_learning_rate});
  fields.push_back({"weight decay", number_text(*resolved.weight_decay), given.weight_decay.has_value()});
  fields.push_back({"augment", resolved.augment->empty() ? "none" : *resolved.augment, given.augment.has_value()});
  fields.push_back({"epochs", given.epochs || given.max_seconds <= 0 ? std::to_string(*resolved.epochs)
                                                                     : "until --max-seconds " + number_text(given.max_seconds),
                    given.epochs.has_value()});
  return fields;
}

}  // namespace edgeloop
