// Engine: runs a model on a batch and returns class probabilities and the embedding (the
// penultimate layer, which the drift monitor watches). Implementations: xnnpack (the device's
// fast path on Arm, fp32 and int8), onednn (x86, int8 with VNNI), opencv (any ONNX, fp32 and its
// own int8), classic (OpenCV ml baselines); toolkit only, never linked by the device: reference
// (runtime/reference_engine.h, built by make_toolkit_engine) and torch (runtime/torch_engine.h).
// An Engine is used by one thread at a time; make one per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace edgeloop {

struct EngineOptions {
  // XNNPACK's pthreadpool size (0 = all cores). OpenCV-based engines (opencv, classic) and torch
  // run on the process-wide counts the caller set (core/threads.h); an engine never changes them.
  int threads = 1;
  int max_batch = 1;            // largest batch infer() will be given
  // Preprocessed images [N, H, W, C] float that "opencv-int8" calibrates its quantizer on (the
  // QDQ file carries its own calibration); empty for every other engine.
  std::vector<float> calibration_images;
  // [C, H, W] of the input, for engines whose file does not say it ("classic"); empty otherwise.
  std::vector<int> input_shape;
};

struct InferenceResult {
  int batch = 0;
  int classes = 0;
  int embedding_size = 0;
  std::vector<float> probabilities;   // [batch, classes], softmax, rows sum to 1
  std::vector<float> embedding;       // [batch, embedding_size]
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;    // "xnnpack", "xnnpack-int8", "opencv", ...
  // input: [batch, H, W, C] float, NHWC, already preprocessed (preprocess::Pipeline::apply).
  virtual InferenceResult infer(const float* input, int batch) = 0;
  virtual double load_milliseconds() const = 0;   // construction to ready, measured
};

// Which device engine to build from a file. "xnnpack" and "onednn" read fp32 ONNX, "xnnpack-int8"
// and "onednn-int8" the QDQ int8 file; "opencv" any ONNX;
// "opencv-int8" quantizes the fp32 ONNX with calibration data (see runtime/opencv_engine.h);
// "classic" reads an OpenCV ml baseline (classic.yml, runtime/classic_engine.h).
// Throws Error(kUnsupported) naming the ONNX op an engine cannot map, so callers can fall back.
std::unique_ptr<Engine> make_engine(const std::string& engine_name, const std::filesystem::path& model_file,
                                    const EngineOptions& options);

}  // namespace edgeloop
