// ReferenceEngine: the plain, obviously-correct interpreter of the ONNX op set the device engines
// support (naive loops, NCHW, fp32; QDQ int8 simulated exactly in float). The fast engines are
// tested against it on seeded random input (ncnn style); it is never used to serve. One thread;
// an instance is used by one thread at a time.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/onnx_model.h"

namespace edgeloop {

class ReferenceEngine : public Engine {
 public:
  explicit ReferenceEngine(const std::filesystem::path& model_file);
  std::string name() const override { return "reference"; }
  InferenceResult infer(const float* input, int batch) override;   // input [batch, H, W, C]
  double load_milliseconds() const override { return load_milliseconds_; }

  // Every tensor of the last infer(), by ONNX name, in ONNX layout (for debugging a fast engine).
  struct Tensor {
    std::vector<int64_t> shape;   // ONNX order: [N, C, H, W] for images
    std::vector<float> values;
  };
  const std::map<std::string, Tensor>& tensors() const { return tensors_; }

 private:
  OnnxModel model_;
  double load_milliseconds_ = 0.0;
  std::map<std::string, Tensor> tensors_;
};

}  // namespace edgeloop
