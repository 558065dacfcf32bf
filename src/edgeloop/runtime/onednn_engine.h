// OnednnEngine: the x86 fast path. Reads an ONNX file (fp32, or int8 QDQ) and runs it as oneDNN
// primitives (onednn_network.h): on CPUs with AVX-512 VNNI its int8 convolutions run 3-4× its
// fp32 ones. Primitives are created and weights reordered at load (batch 1 and max_batch; other
// batch sizes on first use). oneDNN here runs on OpenMP: the thread count is applied per calling
// thread through core/threads.h. Refuses at load, with the op's name, a model it cannot map.
// One thread at a time per instance.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "edgeloop/runtime/engine.h"

namespace edgeloop {

class OnednnEngine : public Engine {
 public:
  OnednnEngine(const std::filesystem::path& model_file, const EngineOptions& options);
  ~OnednnEngine() override;
  OnednnEngine(const OnednnEngine&) = delete;
  OnednnEngine& operator=(const OnednnEngine&) = delete;

  std::string name() const override;   // "onednn", or "onednn-int8" for a QDQ file
  InferenceResult infer(const float* input, int batch) override;   // input [batch, H, W, C]
  double load_milliseconds() const override;
  int threads() const;

  // What the batch-1 network runs in which precision.
  struct OperatorCounts {
    int int8_operators = 0;   // convolutions, inner products, adds, pools in int8
    int fp32_operators = 0;   // the same in fp32
    int conversions = 0;      // u8 <-> fp32 reorders (the input and outputs included)
  };
  OperatorCounts operator_counts() const;

  // Each primitive of the batch-1 network timed alone: median milliseconds over `runs` runs.
  struct OperatorTime {
    std::string operation;   // "<ONNX node> <op> <int8|fp32>", or "<tensor> quantize" ...
    std::string kernel;      // oneDNN's implementation, e.g. "brgconv:avx512_core_vnni"
    double milliseconds = 0.0;
  };
  std::vector<OperatorTime> operator_times(const float* input, int runs);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace edgeloop
