// ClassicEngine: the OpenCV ml baselines (kNN, logistic regression on pixels or HOG;
// models/classic_model.h) behind the Engine interface, so bench and the device run them like the
// networks. The embedding is the feature row the baseline classifies. One thread at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "edgeloop/runtime/engine.h"

namespace edgeloop {

class ClassicEngine : public Engine {
 public:
  // `model_file`: classic.yml. options.input_shape ([C, H, W]) is required: the file does not say
  // it. Throws Error(kInvalidArgument) without it, Error(kCorrupt) naming an unreadable file.
  ClassicEngine(const std::filesystem::path& model_file, const EngineOptions& options);
  ~ClassicEngine() override;

  std::string name() const override { return "classic"; }
  InferenceResult infer(const float* input, int batch) override;   // input [batch, H, W, C]
  double load_milliseconds() const override { return load_milliseconds_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  double load_milliseconds_ = 0.0;
};

}  // namespace edgeloop
