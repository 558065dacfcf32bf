// OnnxReferenceRunner: a plain, loop-by-loop interpreter of the ONNX graphs export/ writes (fp32
// and int8 QDQ). It is the reference the fast engines are compared with (ncnn style), and it
// gives the quantizer every intermediate tensor for calibration. Slow by design; small models only.
// Ops: Conv, BatchNormalization, Relu, HardSigmoid, Mul, Add, MaxPool, AveragePool,
// Pad (constant zero), GlobalAveragePool, Flatten, Gemm, Softmax, QuantizeLinear, DequantizeLinear.
// Immutable after construction; run() is thread-safe.
#pragma once

#include <map>
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
  std::map<std::string, NamedTensor> initializers_;   // all as float (int8/int32 converted)
};

}  // namespace edgeloop
