// OnnxReferenceRunner: the one plain, loop-by-loop ONNX interpreter (NCHW, fp32; int8 QDQ simulated
// exactly in float). It is the reference every fast engine is compared with (ncnn style; runtime/'s
// "reference" engine wraps it), and it gives the quantizer every intermediate tensor for
// calibration. Slow by design; small models only. Ops: the ones export/ writes and PyTorch's
// exporter emits for the ladder: Conv (groups, dilations), BatchNormalization, Relu, Clip,
// HardSigmoid, HardSwish, Mul, Add (numpy broadcasting), MaxPool, AveragePool, Pad (constant),
// GlobalAveragePool, Flatten, Reshape, Gemm, MatMul, Softmax (last axis), Identity, Dropout,
// Constant, QuantizeLinear, DequantizeLinear. Immutable after construction; run() is thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "edgeloop/models/weights.h"

namespace edgeloop {

class OnnxReferenceRunner {
 public:
  // Throws Error(kUnsupported) naming the first op it cannot run.
  explicit OnnxReferenceRunner(const onnx::ModelProto& model);

  // input: [N, C, H, W] float under the graph's input name. Returns the graph outputs by name or,
  // with keep_intermediates, every tensor the graph computes (initializers excluded).
  std::map<std::string, NamedTensor> run(const NamedTensor& input, bool keep_intermediates = false) const;

  const std::string& input_name() const { return input_name_; }

 private:
  onnx::GraphProto graph_;
  std::string input_name_;
  std::map<std::string, NamedTensor> initializers_;   // initializers and Constant nodes, all as float
  std::set<std::string> unsigned_constants_;          // those stored as uint8 (QuantizeLinear's output type)
};

}  // namespace edgeloop
