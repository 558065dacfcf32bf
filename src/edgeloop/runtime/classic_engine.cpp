#include "edgeloop/runtime/classic_engine.h"

#include <chrono>

#include <opencv2/core.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/models/classic_model.h"

namespace edgeloop {

struct ClassicEngine::State {
  ClassicModel model;
  int channels = 0, height = 0, width = 0;
};

ClassicEngine::ClassicEngine(const std::filesystem::path& model_file, const EngineOptions& options)
    : state_(std::make_unique<State>()) {
  auto start = std::chrono::steady_clock::now();
  if (options.input_shape.size() != 3) {
    throw invalid_argument(model_file.string() + ": the classic engine needs the input shape [C, H, W] (from the "
                           "bundle or model), the file does not hold it");
  }
  state_->channels = options.input_shape[0];
  state_->height = options.input_shape[1];
  state_->width = options.input_shape[2];
  state_->model = ClassicModel::load(model_file);
  load_milliseconds_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

ClassicEngine::~ClassicEngine() = default;

InferenceResult ClassicEngine::infer(const float* input, int batch) {
  if (batch < 1) throw invalid_argument("infer: batch must be at least 1");
  size_t image_floats = size_t(state_->channels) * state_->height * state_->width;
  cv::Mat features;
  try {
    for (int image = 0; image < batch; ++image) {
      cv::Mat pixels(state_->height, state_->width, CV_32FC(state_->channels),
                     const_cast<float*>(input + size_t(image) * image_floats));
      features.push_back(ClassicModel::features_of(state_->model.spec(), pixels));
    }
  } catch (const cv::Exception& error) {
    throw internal_error("classic engine: feature extraction failed: " + error.msg);
  }
  InferenceResult result;
  result.batch = batch;
  result.classes = state_->model.classes();
  result.probabilities = state_->model.predict_probabilities(features);
  result.embedding_size = features.cols;
  cv::Mat continuous = features.isContinuous() ? features : features.clone();
  result.embedding.assign(continuous.ptr<float>(), continuous.ptr<float>() + continuous.total());
  return result;
}

}  // namespace edgeloop
