// XnnpackEngine: the device's fast path. Reads an ONNX file (fp32, or int8 QDQ) and runs it as an
// XNNPACK subgraph in NHWC on a pthreadpool of EngineOptions::threads. Weights are repacked once at
// load; one XNNPACK runtime per batch size, made on first use (batch 1 and max_batch at load).
// Refuses at load, with the op's name, a model it cannot map. One thread at a time per instance.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgeloop/runtime/engine.h"

namespace edgeloop {

class XnnpackEngine : public Engine {
 public:
  XnnpackEngine(const std::filesystem::path& model_file, const EngineOptions& options);
  ~XnnpackEngine() override;
  XnnpackEngine(const XnnpackEngine&) = delete;
  XnnpackEngine& operator=(const XnnpackEngine&) = delete;

  std::string name() const override;   // "xnnpack", or "xnnpack-int8" for a QDQ file
  InferenceResult infer(const float* input, int batch) override;   // input [batch, H, W, C]
  double load_milliseconds() const override;
  int threads() const;                 // threads actually used (the pool size)

  // What the batch-1 subgraph runs in which precision: how well an int8 file maps onto int8 kernels.
  struct OperatorCounts {
    int int8_operators = 0;   // convolutions, fully connected, adds, pools, ... in int8
    int fp32_operators = 0;   // the same in fp32
    int converts = 0;         // int8 <-> fp32 conversions between them (the input and outputs included)
  };
  OperatorCounts operator_counts() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace edgeloop
