// Training session: one `edgeloop train` end to end. Resolves the dataset, builds the tensor
// cache, records a run in the registry, builds the architecture (or starts from --from MODEL with
// a new head, or its own with --keep-classifier and the same class list, and frozen blocks), runs the Trainer with per-epoch metrics stored as they come, and
// stores the result as a model (models/stored_model.h + the registry's models table) with its
// lineage, curves and diagnosis. Called by the CLI and by sweep. LibTorch. One at a time per thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/workspace.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/train/learning_rate_finder.h"
#include "edgeloop/train/trainer.h"
#include "edgeloop/train/training_data.h"

namespace edgeloop {

struct TrainOutcome {
  std::string run_id;
  StoredModel model;                // as stored; model.id names it
  TrainerResult result;
  std::optional<LearningRateTest> learning_rate_test;   // set when lr was "auto"
};

// Options are validated first (Error(kInvalidArgument) before anything is written); unset recipe
// fields come from the architecture's default recipe (training_recipe.h) and the run's config
// stores the filled-in values; lr "auto" runs the learning-rate range test first. A failure
// after the run was recorded marks it failed and keeps its checkpoint for --resume.
// `pipeline_json`: preprocess spec; null = the dataset's default.
TrainOutcome train_model(const Workspace& workspace, const TrainOptions& options, const Json& pipeline_json,
                         const TrainerCallbacks& callbacks);
// The same on data already prepared for options.data (the sweep trains several architectures on
// one dataset version and prepares it once). `parallel`: one rank of a data-parallel job
// (train/distributed/distributed_training.h); ranks other than 0 train but write nothing and
// return an outcome without run or model.
TrainOutcome train_model(const Workspace& workspace, Registry& registry, const TrainOptions& options,
                         const TrainingData& data, const TrainerCallbacks& callbacks, DataParallel* parallel = nullptr);

// The learning-rate range test (learning_rate_finder.h) for these options (recipe filled in) on
// their dataset, without training: `edgeloop train --find-lr`. Error(kInvalidArgument) for a classic baseline.
LearningRateTest find_learning_rate(const Workspace& workspace, const TrainOptions& options, const Json& pipeline_json,
                                    const ProgressCallback& progress);
LearningRateTest find_learning_rate(const Workspace& workspace, Registry& registry, const TrainOptions& options,
                                    const TrainingData& data, const ProgressCallback& progress);

}  // namespace edgeloop
