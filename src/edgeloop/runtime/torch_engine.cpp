#include "edgeloop/runtime/torch_engine.h"

#include <chrono>

#include "edgeloop/core/error.h"
#include "edgeloop/models/layer_graph_module.h"

namespace edgeloop {

struct TorchEngine::State {
  LayerGraphModule module{nullptr};
  ArchSpec spec;
};

TorchEngine::TorchEngine(const ArchSpec& spec, const std::filesystem::path& weights_file, const EngineOptions& options)
    : state_(std::make_unique<State>()) {
  auto start = std::chrono::steady_clock::now();
  state_->spec = spec;
  try {
    state_->module = load_module(spec, weights_file);
    state_->module->eval();
  } catch (const c10::Error& error) {
    throw corrupt(weights_file.string() + ": LibTorch could not load these weights for " + spec.to_string() + " (" +
                  error.what_without_backtrace() + ")");
  }
  load_milliseconds_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

TorchEngine::~TorchEngine() = default;

InferenceResult TorchEngine::infer(const float* input, int batch) {
  if (batch < 1) throw invalid_argument("infer: batch must be at least 1");
  const InputShape& shape = state_->spec.input;
  torch::NoGradGuard no_gradients;
  torch::Tensor nhwc = torch::from_blob(const_cast<float*>(input), {batch, shape.height, shape.width, shape.channels},
                                        torch::kFloat32);
  LayerGraphModuleImpl::Outputs outputs = state_->module->forward_with_embedding(nhwc.permute({0, 3, 1, 2}).contiguous());
  torch::Tensor probabilities = torch::softmax(outputs.logits, 1).contiguous();
  torch::Tensor embedding = outputs.embedding.reshape({batch, -1}).contiguous();
  InferenceResult result;
  result.batch = batch;
  result.classes = int(probabilities.size(1));
  result.embedding_size = int(embedding.size(1));
  result.probabilities.assign(probabilities.data_ptr<float>(), probabilities.data_ptr<float>() + probabilities.numel());
  result.embedding.assign(embedding.data_ptr<float>(), embedding.data_ptr<float>() + embedding.numel());
  return result;
}

}  // namespace edgeloop
