#include "edgeloop/edge/loaded_model.h"

#include "edgeloop/core/error.h"

namespace edgeloop {

InferenceResult LoadedModel::infer_one(const cv::Mat& input) {
  if (!engine) throw internal_error("model " + model_id + " has no engine");
  cv::Mat contiguous = input.isContinuous() ? input : input.clone();
  if (contiguous.depth() != CV_32F) throw internal_error("model input is not float: preprocessing must end in to_float");
  std::lock_guard lock(engine_mutex);
  return engine->infer(contiguous.ptr<float>(), /*batch=*/1);
}

std::string LoadedModel::label_of(int class_id) const {
  if (class_id >= 0 && class_id < static_cast<int>(labels.size())) return labels[class_id];
  return "class_" + std::to_string(class_id);
}

std::vector<FeatureReference> LoadedModel::drift_references() const {
  std::vector<FeatureReference> references;
  for (const FeatureReferenceStatistics& feature : reference.features) {
    if (!feature.samples.empty()) references.push_back({feature.name, feature.samples});
  }
  return references;
}

}  // namespace edgeloop
