#include "edgeloop/runtime/reference_engine.h"

#include <chrono>

#include "edgeloop/core/error.h"
#include "edgeloop/export/onnx_reference_runner.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/export/parity_check.h"
#include "edgeloop/runtime/output_layout.h"

namespace edgeloop {

ReferenceEngine::ReferenceEngine(const std::filesystem::path& model_file) {
  auto start = std::chrono::steady_clock::now();
  model_ = OnnxModel::load(model_file);
  runner_ = std::make_unique<OnnxReferenceRunner>(load_onnx_model(model_file));
  layout_ = OutputLayout::of(model_);
  load_milliseconds_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

ReferenceEngine::~ReferenceEngine() = default;

InferenceResult ReferenceEngine::infer(const float* input, int batch) {
  const std::vector<int64_t>& shape = model_.input_shape();
  if (shape.size() != 4 && shape.size() != 2) {
    throw unsupported(model_.file().string() + ": the reference engine needs a [N, C, H, W] or [N, features] input");
  }
  const int channels = int(shape[1]), height = shape.size() == 4 ? int(shape[2]) : 1;
  const int width = shape.size() == 4 ? int(shape[3]) : 1;
  std::vector<float> nhwc(input, input + size_t(batch) * size_t(channels * height * width));
  NamedTensor image{{batch, channels, height, width}, nhwc_to_nchw(nhwc, batch, channels, height, width)};
  if (shape.size() == 2) image.shape = {batch, channels};
  const std::map<std::string, NamedTensor> outputs = runner_->run(image);

  const OutputLayout& layout = layout_;
  InferenceResult result;
  result.batch = batch;
  result.probabilities = outputs.at(layout.probabilities).values;
  result.classes = int(result.probabilities.size() / size_t(batch));
  if (!layout.embedding.empty()) {
    result.embedding = outputs.at(layout.embedding).values;
    result.embedding_size = int(result.embedding.size() / size_t(batch));
  }
  return result;
}

}  // namespace edgeloop
