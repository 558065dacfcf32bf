// OnnxGraphReader: the patterns the fast engines read out of an ONNX graph, whatever library runs
// it: weights (float, or int8 QDQ with per-channel scales), biases, activations that can be fused
// into the operator before them (Relu, constant Clip, export's Relu6 form), QDQ activation
// quantization, and MatMul + constant Add as one fully connected layer. The xnnpack and onednn
// engines build from it, so they map the same graphs the same way. Not thread-safe; one per build.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "edgeloop/runtime/onnx_model.h"

namespace edgeloop {

constexpr float kUnboundedActivation = std::numeric_limits<float>::infinity();

// Per-tensor affine quantization of an activation: real = scale · (q - zero_point), q int8.
struct Quantization {
  float scale = 1.0f;
  int32_t zero_point = 0;
  bool operator==(const Quantization& other) const {
    return scale == other.scale && zero_point == other.zero_point;
  }
};

// A weight as the engines need it: fp32 values always (dequantized when stored as int8), and the
// int8 values with per-channel scales when the file has them (QDQ).
struct WeightSource {
  std::vector<int64_t> shape;        // ONNX order, e.g. conv [out, in/groups, kh, kw]
  std::vector<float> fp32;
  bool quantized = false;            // int8, symmetric (zero point 0)
  std::vector<int8_t> int8s;
  std::vector<float> scales;         // one per channel along `axis`, or one for the tensor
  int64_t axis = 0;
};

// An activation fused into the operator that produces its input: output clamped to [low, high].
struct Activation {
  std::vector<const OnnxNode*> nodes;   // the fused Relu / Clip / HardSigmoid+Mul nodes; empty: none
  float low = -kUnboundedActivation;
  float high = kUnboundedActivation;
};

// A Gemm or MatMul read as a fully connected layer.
struct FullyConnected {
  WeightSource weight;
  bool out_first = false;       // weight is [out, in] (Gemm transB = 1), else [in, out]
  int64_t out = 0;
  std::vector<float> bias;      // [out]: Gemm's third input, or the constant Add after a MatMul
  std::string produced;         // the tensor the layer's result is (the Add's output when folded)
};

// A 2D window (convolution or pooling): kernel, strides [h, w], pads [top, left, bottom, right],
// dilations [h, w].
struct Window {
  int64_t kernel_h = 1;
  int64_t kernel_w = 1;
  std::vector<int64_t> strides;
  std::vector<int64_t> pads;
  std::vector<int64_t> dilations;
  // Output height (axis 0) or width (axis 1) for an input of `size`.
  int64_t output_size(int64_t size, int axis) const;
};

class OnnxGraphReader {
 public:
  // `engine_name` goes into refusals: "... (the <engine> engine cannot map it; use <fallback>)".
  OnnxGraphReader(const OnnxModel& model, std::string engine_name, std::string fallback);

  const OnnxModel& model() const { return model_; }
  // The node being mapped, named in refusals; nullptr between nodes.
  void set_current(const OnnxNode* node) { current_ = node; }
  // Throws Error(kUnsupported) "<file>: node '<name>' op <Op>: <why> (the ... engine cannot map it; ...)".
  [[noreturn]] void refuse(const std::string& why) const;

  // Nodes folded into an earlier one (fused activations, a MatMul's bias Add): not mapped again.
  void skip(const OnnxNode* node) { skipped_.insert(node); }
  bool skipped(const OnnxNode* node) const { return skipped_.count(node) != 0; }
  // The output tensor after an optional fused activation; skips the activation's nodes.
  std::string take_activation(const Activation& activation, const std::string& output);

  // The graph input's dims with `batch` as N; refuses other ranks and dynamic dims.
  std::vector<int64_t> input_dims(int64_t batch) const;
  // Strides, pads and dilations of a Conv (kernel from its weight) or a pooling node
  // (kernel_shape); refuses auto_pad, and ceil_mode for pooling.
  Window convolution_window(const OnnxNode& node, int64_t kernel_h, int64_t kernel_w) const;
  Window pooling_window(const OnnxNode& node) const;
  // Refuses a Flatten other than axis 1, or a Reshape other than to [N, -1], of `features` columns.
  void check_flatten(const OnnxNode& node, int64_t batch, int64_t features) const;

  const OnnxNode* producer(const std::string& tensor) const;   // nullptr for the input and constants
  const OnnxConstant& constant(const std::string& name) const;   // refuses a non-constant

  // Scale and int8 zero point of a per-tensor QuantizeLinear / DequantizeLinear.
  std::optional<Quantization> quantization_of(const OnnxNode& node) const;
  WeightSource weight_source(const std::string& name) const;
  // Bias as float, whether stored as float or as DequantizeLinear of int32; zeros when absent.
  std::vector<float> bias_values(const OnnxNode& node, size_t index, size_t count) const;
  // Per-output-channel weight scales (a per-tensor scale repeated), or nullopt when the channel
  // axis is not the output axis.
  std::optional<std::vector<float>> channel_scales(const WeightSource& weight, int64_t out_axis, size_t out) const;

  // A Relu, constant Clip or Relu6-as-HardSigmoid that alone reads `name`; empty when none.
  Activation fusable_activation(const std::string& name) const;
  // export/ writes Relu6 as Mul(HardSigmoid(x; alpha 1/k, beta 0), k) = clamp(x, 0, k): the Mul
  // node and k, when `node` starts that form.
  std::optional<std::pair<const OnnxNode*, float>> scaled_hardsigmoid(const OnnxNode& node) const;
  // HardSwish written as Mul(x, HardSigmoid(x; 1/6, 1/2)): the Mul node, when `node` starts it.
  const OnnxNode* hardswish_multiply(const OnnxNode& node) const;
  std::optional<std::pair<float, float>> clip_bounds(const OnnxNode& node) const;
  // When every reader of `name` is a QuantizeLinear with the same per-tensor parameters (the QDQ
  // form of "this op's output is int8"), those parameters.
  std::optional<Quantization> quantized_readers(const std::string& name) const;
  // A Gemm (alpha = beta = 1, transA = 0) or MatMul on `in` input features; a MatMul's following
  // Add of a constant vector becomes the bias and is skipped.
  FullyConnected fully_connected(const OnnxNode& node, int64_t in);

 private:
  const OnnxModel& model_;
  std::string engine_name_;
  std::string fallback_;
  std::map<std::string, const OnnxNode*> producers_;
  const OnnxNode* current_ = nullptr;
  std::set<const OnnxNode*> skipped_;
};

}  // namespace edgeloop
