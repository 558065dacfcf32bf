// LoadedModel: a bundle made ready to run — its engine, preprocessing, labels and drift
// references — and ModelSlot, the one place the pipeline and the HTTP predict endpoint get the
// current model from, so a hot swap replaces it between two frames without stopping anything.
// ModelSlot is thread-safe; a LoadedModel's engine is guarded by its own mutex (an Engine is
// used by one thread at a time).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/bundle/reference_statistics.h"
#include "edgeloop/monitor/drift_detector.h"
#include "edgeloop/preprocess/pipeline.h"
#include "edgeloop/runtime/engine.h"

namespace edgeloop {

struct LoadedModel {
  std::string model_id;
  std::filesystem::path bundle_directory;
  std::vector<std::string> labels;                 // index = class id
  Pipeline preprocess = Pipeline::default_for(InputShape{});
  std::unique_ptr<Engine> engine;
  std::mutex engine_mutex;                         // held around engine->infer()
  ReferenceStatistics reference;                   // the bundle's, for drift; empty = no drift test

  // Preprocessed input → probabilities and embedding, under engine_mutex.
  // `input`: [1, H, W, C] float as Pipeline::apply gives it.
  InferenceResult infer_one(const cv::Mat& input);
  std::string label_of(int class_id) const;
  // The drift detector's references: each reference feature's raw samples.
  std::vector<FeatureReference> drift_references() const;
};

// Loads, verifies and smoke-tests a bundle; throws Error naming the reason when it is refused.
using ModelLoader = std::function<std::shared_ptr<LoadedModel>(const std::filesystem::path& bundle_directory)>;

class ModelSlot {
 public:
  explicit ModelSlot(std::shared_ptr<LoadedModel> initial) : model_(std::move(initial)) {}
  std::shared_ptr<LoadedModel> current() const {
    std::lock_guard lock(mutex_);
    return model_;
  }
  void replace(std::shared_ptr<LoadedModel> model) {
    std::lock_guard lock(mutex_);
    model_ = std::move(model);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<LoadedModel> model_;
};

}  // namespace edgeloop
