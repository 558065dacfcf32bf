// SubgraphBuilder: the ONNX-node-to-XNNPACK mapping behind build_xnnpack_subgraph
// (xnnpack_subgraph.h), split over xnnpack_subgraph.cpp (values, constants, fusion, simple ops) and
// xnnpack_layers.cpp (convolution, fully connected, pooling, add). Internal to runtime/; one
// builder per subgraph, not thread-safe.
#pragma once

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <xnnpack.h>

#include "edgeloop/runtime/onnx_graph_reader.h"
#include "edgeloop/runtime/onnx_model.h"
#include "edgeloop/runtime/output_layout.h"
#include "edgeloop/runtime/xnnpack_subgraph.h"

namespace edgeloop::xnnpack_build {

constexpr float kUnbounded = kUnboundedActivation;
// A convolution reading the float graph input with at most this many multiply-adds per output
// (input channels × kernel area: a 3×3 stem on 1 or 3 channels) runs in fp32: XNNPACK 2022-02's
// int8 kernels are 3-4× slower than fp32 there (bench/runtime/xnnpack_int8_ceiling), and in fp32
// the input needs no conversion to int8.
constexpr int64_t kFloatStemMaxReduction = 27;

// One ONNX tensor as XNNPACK sees it: an fp32 value, a qint8 value, or both (made on demand with
// Convert nodes). 4D tensors are NHWC in XNNPACK and NCHW in ONNX.
struct Value {
  std::vector<size_t> onnx_dims;       // [N, C, H, W] or [N, F]
  uint32_t fp32 = XNN_INVALID_VALUE_ID;
  uint32_t quantized = XNN_INVALID_VALUE_ID;
  Quantization quantization;            // of `quantized`
  std::vector<size_t> feature_order;    // 2D only: ONNX feature i is XNNPACK feature feature_order[i]
};

inline std::vector<size_t> to_xnn_dims(const std::vector<size_t>& onnx_dims) {
  if (onnx_dims.size() == 4) return {onnx_dims[0], onnx_dims[2], onnx_dims[3], onnx_dims[1]};
  return onnx_dims;
}

inline size_t product(const std::vector<size_t>& dims, size_t from = 0) {
  size_t count = 1;
  for (size_t axis = from; axis < dims.size(); ++axis) count *= dims[axis];
  return count;
}

template <typename Element>
std::vector<uint8_t> as_bytes(const std::vector<Element>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(Element));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// [O, I, KH, KW] → [O, KH, KW, I] (dense and grouped filters).
template <typename Element>
std::vector<Element> filter_to_ohwi(const std::vector<Element>& source, const std::vector<int64_t>& shape) {
  int64_t out = shape[0], in = shape[1], kernel_h = shape[2], kernel_w = shape[3];
  std::vector<Element> packed(source.size());
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i)
      for (int64_t y = 0; y < kernel_h; ++y)
        for (int64_t x = 0; x < kernel_w; ++x)
          packed[((o * kernel_h + y) * kernel_w + x) * in + i] = source[((o * in + i) * kernel_h + y) * kernel_w + x];
  return packed;
}

// Depthwise [O, 1, KH, KW] → [1, KH, KW, O].
template <typename Element>
std::vector<Element> filter_to_hwo(const std::vector<Element>& source, const std::vector<int64_t>& shape) {
  int64_t out = shape[0], kernel = shape[2] * shape[3];
  std::vector<Element> packed(source.size());
  for (int64_t o = 0; o < out; ++o)
    for (int64_t k = 0; k < kernel; ++k) packed[k * out + o] = source[o * kernel + k];
  return packed;
}

// Fully connected weight → [O, I] rows in XNNPACK feature order.
template <typename Element>
std::vector<Element> matrix_to_rows(const std::vector<Element>& source, int64_t out, int64_t in, bool out_first,
                                    const std::vector<size_t>& feature_order) {
  std::vector<Element> packed(source.size());
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i) {
      size_t column = feature_order.empty() ? size_t(i) : feature_order[size_t(i)];
      packed[size_t(o * in) + column] = out_first ? source[o * in + i] : source[i * out + o];
    }
  return packed;
}

class SubgraphBuilder {
 public:
  SubgraphBuilder(const OnnxModel& model, int batch, XnnpackWeightStore& weights)
      : model_(model), reader_(model, "xnnpack", "the opencv engine"), batch_(size_t(batch)), weights_(weights),
        layout_(OutputLayout::of(model)) {}

  XnnpackSubgraph build() {
    check(xnn_create_subgraph(kXnnpackExternalValues, 0, &result_.subgraph), "create the subgraph");
    try {
      define_input();
      for (const OnnxNode& node : model_.nodes()) {
        if (reader_.skipped(&node)) continue;
        reader_.set_current(&node);
        map_node(node);
        count_operator(node);
      }
      reader_.set_current(nullptr);
      result_.probabilities_size = finish_output(layout_.probabilities, kXnnpackProbabilitiesId,
                                                 result_.probabilities_order);
      if (!layout_.embedding.empty()) {
        result_.embedding_size = finish_output(layout_.embedding, kXnnpackEmbeddingId, result_.embedding_order);
      }
    } catch (...) {
      xnn_delete_subgraph(result_.subgraph);
      throw;
    }
    return result_;
  }

 private:
  // ---- errors and values ----------------------------------------------------------------------

  void check(xnn_status status, const std::string& what) const;

  Value& value(const std::string& name);

  uint32_t external_id(const std::string& name) const;

  // The fp32 XNNPACK value of tensor `name` (graph outputs become the external outputs).
  uint32_t new_fp32(const std::string& name, const std::vector<size_t>& onnx_dims);

  uint32_t new_quantized(const std::vector<size_t>& onnx_dims, const Quantization& quantization);

  uint32_t static_fp32(const std::string& key, const std::vector<size_t>& dims, const std::vector<float>& values);

  // fp32 view of `name`, converting from int8 when only that exists (once per int8 value, except
  // into a graph output's own external value).
  uint32_t fp32_of(const std::string& name);

  // int8 view of `name` with `quantization`; reuses the existing one when it matches.
  uint32_t quantized_of(const std::string& name, const Quantization& quantization);

  bool has_quantized(const std::string& name) { return value(name).quantized != XNN_INVALID_VALUE_ID; }

  // ---- node mapping ---------------------------------------------------------------------------

  void define_input();

  size_t finish_output(const std::string& name, uint32_t external, std::vector<size_t>& order);

  void store(const std::string& name, const Value& stored);

  void count_operator(const OnnxNode& node);

  void map_node(const OnnxNode& node);

  void alias(const std::string& input, const std::string& output);

  void convolution(const OnnxNode& node);

  // qcint8 filter (per output channel) and qcint32 bias at scale input_scale × filter_scale[c].
  void define_int8_filter_and_bias(const std::string& key, const WeightSource& weight, const std::vector<float>& scales,
                                   const std::vector<size_t>& filter_dims, size_t channel_dim,
                                   const std::vector<float>& bias, float input_scale, bool depthwise, uint32_t& filter,
                                   uint32_t& bias_id);

  void fully_connected(const OnnxNode& node);

  void clamp(const OnnxNode& node);

  void define_clamp(const std::string& input_name, const std::string& output_name, float low, float high);

  // BatchNormalization not folded into a convolution: x·a + b per channel, in fp32.
  void batch_normalization(const OnnxNode& node);

  void hardswish(const OnnxNode& node, const std::string& input_name, const std::string& output_name);

  // PyTorch writes HardSwish at opset < 14 as Mul(x, HardSigmoid(x; alpha 1/6, beta 1/2)).
  void hardsigmoid(const OnnxNode& node);

  void pooling(const OnnxNode& node);

  void global_average_pooling(const OnnxNode& node);

  // Flatten (axis 1) and Reshape to [N, -1]: NHWC order is kept, and feature_order remembers it.
  void flatten(const OnnxNode& node);

  void add(const OnnxNode& node);

  // Activation + constant broadcast along channels ([C], [1, C] for rows; [C, 1, 1] or [1, C, 1, 1] for images).
  void add_constant(const OnnxNode& node, const std::string& input_name, const std::string& constant_name);

  void softmax(const OnnxNode& node);

  // Pad with zeros (PyTorch writes an all-zero Pad before AveragePool).
  void pad(const OnnxNode& node);

  void quantize(const OnnxNode& node);

  // The QuantizeLinear of the graph input, when every reader of its DequantizeLinear is a
  // convolution cheaper in fp32 (kFloatStemMaxReduction): then the pair passes the float through.
  bool input_stays_float(const OnnxNode& quantize_node);

  void dequantize(const OnnxNode& node);

  const OnnxModel& model_;
  OnnxGraphReader reader_;
  size_t batch_;
  XnnpackWeightStore& weights_;
  OutputLayout layout_;
  XnnpackSubgraph result_;
  std::map<std::string, Value> values_;
  std::string last_stored_;
  std::set<std::string> float_pass_through_;   // QuantizeLinear outputs that input_stays_float() kept float
  std::map<uint32_t, uint32_t> dequantized_;   // an int8 value → the fp32 value converted from it
};

}  // namespace edgeloop::xnnpack_build
