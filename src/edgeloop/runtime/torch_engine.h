// TorchEngine: the trained model in LibTorch (models/layer_graph_module.h) from its ArchSpec and
// weights file, as the toolkit's reference for the device engines and the "torch" bench row.
// Toolkit only: lives in edgeloop_runtime_torch, which the device binary never links. No LibTorch
// in this header. One thread at a time per instance.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "edgeloop/models/arch_spec.h"
#include "edgeloop/runtime/engine.h"

namespace edgeloop {

class TorchEngine : public Engine {
 public:
  // `weights_file`: models/weights_file.h format (weights.safetensors). Throws Error naming the
  // file when it does not match the spec.
  TorchEngine(const ArchSpec& spec, const std::filesystem::path& weights_file, const EngineOptions& options);
  ~TorchEngine() override;

  std::string name() const override { return "torch"; }
  InferenceResult infer(const float* input, int batch) override;   // input [batch, H, W, C]
  double load_milliseconds() const override { return load_milliseconds_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  double load_milliseconds_ = 0.0;
};

}  // namespace edgeloop
