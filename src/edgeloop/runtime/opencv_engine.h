// OpenCvEngine: OpenCV DNN (4.6) on any ONNX file it imports, fp32; and "opencv-int8", which
// quantizes the fp32 network itself with Net::quantize(calibration, CV_32F, CV_32F): int8 inside,
// float in and out), since OpenCV
// 4.6 cannot import per-channel QDQ files (../shared/facts.md). The engine that loads what the
// xnnpack engine refuses. OpenCV's thread count is process-wide: infer() sets it to this engine's
// count each call. One thread at a time per instance.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "edgeloop/runtime/engine.h"

namespace edgeloop {

class OpenCvEngine : public Engine {
 public:
  // Throws Error(kUnsupported) with OpenCV's reason when it cannot import the file, and
  // Error(kInvalidArgument) when int8 is asked for without calibration images.
  OpenCvEngine(const std::filesystem::path& model_file, const EngineOptions& options, bool int8);
  ~OpenCvEngine() override;

  std::string name() const override { return int8_ ? "opencv-int8" : "opencv"; }
  InferenceResult infer(const float* input, int batch) override;   // input [batch, H, W, C]
  double load_milliseconds() const override { return load_milliseconds_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  bool int8_ = false;
  double load_milliseconds_ = 0.0;
};

}  // namespace edgeloop
