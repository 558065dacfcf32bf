// ReferenceEngine: the Engine named "reference", export/'s plain ONNX interpreter
// (export/onnx_reference_runner.h) behind the Engine interface, so the fast engines are tested
// against it on seeded random input (ncnn style). It is never used to serve. One thread; an
// instance is used by one thread at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/onnx_model.h"
#include "edgeloop/runtime/output_layout.h"

namespace edgeloop {

class OnnxReferenceRunner;

class ReferenceEngine : public Engine {
 public:
  explicit ReferenceEngine(const std::filesystem::path& model_file);
  ~ReferenceEngine() override;
  std::string name() const override { return "reference"; }
  InferenceResult infer(const float* input, int batch) override;   // input [batch, H, W, C]
  double load_milliseconds() const override { return load_milliseconds_; }

 private:
  OnnxModel model_;
  OutputLayout layout_;   // which graph outputs are the probabilities and the embedding
  std::unique_ptr<OnnxReferenceRunner> runner_;
  double load_milliseconds_ = 0.0;
};

}  // namespace edgeloop
