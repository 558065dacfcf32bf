// Classic baselines end to end: features for a split of TrainingData, training a ClassicModel on
// the train split, scoring it on val, and storing it like any model (model.json + classic.yml +
// the registry's models table). Called by training_session (`edgeloop train --arch knn:hog`),
// sweep and eval/. LibTorch-free. One call at a time per Registry.
#pragma once

#include <vector>

#include "edgeloop/core/workspace.h"
#include "edgeloop/models/classic_model.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/train/train_options.h"
#include "edgeloop/train/training_data.h"

namespace edgeloop {

// [indices.size(), D] CV_32F, one row per sample (no augmentation).
cv::Mat classic_features(const ClassicSpec& spec, const TrainingData& data, const std::vector<int64_t>& indices);

struct ClassicOutcome {
  StoredModel model;
  double val_accuracy = 0;      // 0..1
  double training_seconds = 0;
};

ClassicOutcome train_classic_model(const Workspace& workspace, Registry& registry, const TrainOptions& options,
                                   const TrainingData& data);

}  // namespace edgeloop
