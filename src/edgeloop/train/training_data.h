// TrainingData: a dataset version ready to train or evaluate on: its samples' pixels in the
// TensorCache, labels, and the sample indices of each split (train samples repeated by their
// `copies`). Made by prepare_training_data from the registry; read by the Trainer, eval/ and the
// classic baselines. Read-only after construction; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgeloop/core/progress.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/preprocess/pipeline.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/train/tensor_cache.h"

namespace edgeloop {

struct TrainingData {
  DatasetVersion version;
  Pipeline pipeline = Pipeline::default_for(InputShape{});
  std::shared_ptr<TensorCache> cache;
  std::vector<int> labels;                                 // per cache index; -1 when unlabeled
  std::map<std::string, std::vector<int64_t>> splits;      // "train" (with copies), "val", "test:<name>"

  int classes() const { return static_cast<int>(version.classes.size()); }
  InputShape input() const { return cache->shape(); }
  // Indices of a split; throws Error(kNotFound) naming the splits that exist and the fix.
  const std::vector<int64_t>& split(const std::string& name) const;
  // Optimizer steps in one epoch over the train split at this batch size (the last batch may be short).
  int64_t steps_per_epoch(int batch) const;
};

// Fills what a stored model takes from its data: labels, input shape, preprocess spec and hash,
// and the dataset part of its lineage.
void describe_training_data(const TrainingData& data, StoredModel& model);

// `pipeline_file`: a preprocess spec (YAML/JSON); empty = Pipeline::default_for the dataset's
// image shape (channels and size of its first sample). `pipeline_json` (when not null) wins.
TrainingData prepare_training_data(const Workspace& workspace, Registry& registry, const std::string& data_reference,
                                   const Json& pipeline_json, int threads, const ProgressCallback& progress);

}  // namespace edgeloop
