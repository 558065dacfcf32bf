#include "edgeloop/runtime/xnnpack_subgraph.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/output_layout.h"

namespace edgeloop {
namespace {

constexpr float kUnbounded = std::numeric_limits<float>::infinity();
constexpr float kHardSigmoidAlpha = 1.0f / 6.0f;   // HardSigmoid(x) = clamp(x/6 + 1/2): x·that is HardSwish
constexpr float kHardSigmoidBeta = 0.5f;
constexpr float kAttributeTolerance = 1e-5f;
constexpr int kMinInt8 = -128;
constexpr int kMaxInt8 = 127;

struct Quantization {
  float scale = 1.0f;
  int32_t zero_point = 0;
  bool operator==(const Quantization& other) const {
    return scale == other.scale && zero_point == other.zero_point;
  }
};

// One ONNX tensor as XNNPACK sees it: an fp32 value, a qint8 value, or both (made on demand with
// Convert nodes). 4D tensors are NHWC in XNNPACK and NCHW in ONNX.
struct Value {
  std::vector<size_t> onnx_dims;       // [N, C, H, W] or [N, F]
  uint32_t fp32 = XNN_INVALID_VALUE_ID;
  uint32_t quantized = XNN_INVALID_VALUE_ID;
  Quantization quantization;            // of `quantized`
  std::vector<size_t> feature_order;    // 2D only: ONNX feature i is XNNPACK feature feature_order[i]
};

// A weight as the engine needs it: fp32 values always (dequantized when stored as int8), and the
// int8 values with per-channel scales when the file has them (QDQ).
struct WeightSource {
  std::vector<int64_t> shape;
  std::vector<float> fp32;
  bool quantized = false;            // int8, symmetric (zero point 0)
  std::vector<int8_t> int8s;
  std::vector<float> scales;         // one per channel along `axis`, or one for the tensor
  int64_t axis = 0;
};

struct Activation {
  std::vector<const OnnxNode*> nodes;   // the fused Relu / Clip / HardSigmoid+Mul nodes; empty: none
  float low = -kUnbounded;
  float high = kUnbounded;
};

std::vector<size_t> to_xnn_dims(const std::vector<size_t>& onnx_dims) {
  if (onnx_dims.size() == 4) return {onnx_dims[0], onnx_dims[2], onnx_dims[3], onnx_dims[1]};
  return onnx_dims;
}

size_t product(const std::vector<size_t>& dims, size_t from = 0) {
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
      : model_(model), batch_(size_t(batch)), weights_(weights), layout_(OutputLayout::of(model)) {
    for (const OnnxNode& node : model.nodes()) {
      for (const std::string& output : node.outputs) producers_[output] = &node;
    }
  }

  XnnpackSubgraph build() {
    check(xnn_create_subgraph(kXnnpackExternalValues, 0, &result_.subgraph), "create the subgraph");
    try {
      define_input();
      for (const OnnxNode& node : model_.nodes()) {
        if (skipped_.count(&node)) continue;
        current_ = &node;
        map_node(node);
        count_operator(node);
      }
      current_ = nullptr;
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

  [[noreturn]] void refuse(const std::string& why) const {
    std::string where = current_ ? "node '" + current_->name + "' op " + current_->op_type + ": " : "";
    throw unsupported(model_.file().string() + ": " + where + why +
                      " (the xnnpack engine cannot map it; use the opencv engine)");
  }

  void check(xnn_status status, const std::string& what) const {
    if (status != xnn_status_success) refuse("XNNPACK refused to " + what + " (status " + std::to_string(status) + ")");
  }

  Value& value(const std::string& name) {
    auto found = values_.find(name);
    if (found == values_.end()) {
      if (model_.initializer(name)) refuse("a constant '" + name + "' where an activation was expected");
      refuse("input '" + name + "' is not produced by any node before it");
    }
    return found->second;
  }

  uint32_t external_id(const std::string& name) const {
    if (name == layout_.probabilities) return kXnnpackProbabilitiesId;
    if (!layout_.embedding.empty() && name == layout_.embedding) return kXnnpackEmbeddingId;
    return XNN_INVALID_VALUE_ID;
  }

  // The fp32 XNNPACK value of tensor `name` (graph outputs become the external outputs).
  uint32_t new_fp32(const std::string& name, const std::vector<size_t>& onnx_dims) {
    uint32_t external = external_id(name);
    uint32_t flags = external == XNN_INVALID_VALUE_ID ? 0 : XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
    std::vector<size_t> dims = to_xnn_dims(onnx_dims);
    uint32_t id = XNN_INVALID_VALUE_ID;
    check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, dims.size(), dims.data(), nullptr, external,
                                  flags, &id),
          "define a float tensor");
    return id;
  }

  uint32_t new_quantized(const std::vector<size_t>& onnx_dims, const Quantization& quantization) {
    std::vector<size_t> dims = to_xnn_dims(onnx_dims);
    uint32_t id = XNN_INVALID_VALUE_ID;
    check(xnn_define_quantized_tensor_value(result_.subgraph, xnn_datatype_qint8, quantization.zero_point,
                                            quantization.scale, dims.size(), dims.data(), nullptr,
                                            XNN_INVALID_VALUE_ID, 0, &id),
          "define an int8 tensor");
    result_.quantized = true;
    return id;
  }

  uint32_t static_fp32(const std::string& key, const std::vector<size_t>& dims, const std::vector<float>& values) {
    const void* data = weights_.find(key);
    if (!data) data = weights_.keep(key, as_bytes(values));
    uint32_t id = XNN_INVALID_VALUE_ID;
    check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, dims.size(), dims.data(), data,
                                  XNN_INVALID_VALUE_ID, 0, &id),
          "define a float weight");
    return id;
  }

  // fp32 view of `name`, converting from int8 when only that exists.
  uint32_t fp32_of(const std::string& name) {
    Value& source = value(name);
    if (source.fp32 == XNN_INVALID_VALUE_ID) {
      source.fp32 = new_fp32(name, source.onnx_dims);
      check(xnn_define_convert(result_.subgraph, source.quantized, source.fp32, 0), "convert int8 to float");
      ++result_.converts;
    }
    return source.fp32;
  }

  // int8 view of `name` with `quantization`; reuses the existing one when it matches.
  uint32_t quantized_of(const std::string& name, const Quantization& quantization) {
    Value& source = value(name);
    if (source.quantized != XNN_INVALID_VALUE_ID && source.quantization == quantization) return source.quantized;
    uint32_t fp32 = fp32_of(name);
    uint32_t id = new_quantized(source.onnx_dims, quantization);
    check(xnn_define_convert(result_.subgraph, fp32, id, 0), "convert float to int8");
    ++result_.converts;
    if (source.quantized == XNN_INVALID_VALUE_ID) {
      source.quantized = id;
      source.quantization = quantization;
    }
    return id;
  }

  bool has_quantized(const std::string& name) { return value(name).quantized != XNN_INVALID_VALUE_ID; }

  // ---- constants ------------------------------------------------------------------------------

  const OnnxConstant& constant(const std::string& name) {
    const OnnxConstant* tensor = model_.initializer(name);
    if (!tensor) refuse("input '" + name + "' must be a constant");
    return *tensor;
  }

  std::optional<Quantization> quantization_of(const OnnxNode& node) {
    if (node.inputs.size() < 2) return std::nullopt;
    const OnnxConstant* scale = model_.initializer(node.inputs[1]);
    const OnnxConstant* zero = node.inputs.size() > 2 && !node.inputs[2].empty() ? model_.initializer(node.inputs[2]) : nullptr;
    if (!scale || scale->element_count() != 1) return std::nullopt;
    if (zero && (zero->type != OnnxElementType::kInt8 || zero->element_count() != 1)) return std::nullopt;
    return Quantization{float(scale->value(0)), zero ? int32_t(zero->value(0)) : 0};
  }

  WeightSource weight_source(const std::string& name) {
    WeightSource source;
    if (const OnnxConstant* tensor = model_.initializer(name)) {
      if (tensor->type != OnnxElementType::kFloat) refuse("weight '" + name + "' is not float");
      source.shape = tensor->shape;
      source.fp32 = tensor->floats;
      return source;
    }
    auto producer = producers_.find(name);
    const OnnxNode* node = producer == producers_.end() ? nullptr : producer->second;
    if (!node || node->op_type != "DequantizeLinear" || !model_.initializer(node->inputs[0])) {
      refuse("weight '" + name + "' must be a constant or DequantizeLinear of a constant");
    }
    const OnnxConstant& data = constant(node->inputs[0]);
    const OnnxConstant& scales = constant(node->inputs[1]);
    const OnnxConstant* zeros = node->inputs.size() > 2 && !node->inputs[2].empty() ? &constant(node->inputs[2]) : nullptr;
    source.shape = data.shape;
    source.axis = node->integer("axis", 1);
    if (source.axis < 0) source.axis += int64_t(data.shape.size());
    int64_t inner = 1;
    for (size_t axis = size_t(source.axis) + 1; axis < data.shape.size(); ++axis) inner *= data.shape[axis];
    source.scales.assign(scales.floats.begin(), scales.floats.end());
    bool symmetric = true;
    source.fp32.resize(size_t(data.element_count()));
    for (int64_t index = 0; index < data.element_count(); ++index) {
      size_t channel = scales.element_count() > 1 ? size_t((index / inner) % scales.element_count()) : 0;
      double zero = zeros ? zeros->value(zeros->element_count() > 1 ? int64_t(channel) : 0) : 0.0;
      if (zero != 0.0) symmetric = false;
      source.fp32[size_t(index)] = float((data.value(index) - zero) * source.scales[channel]);
    }
    source.quantized = data.type == OnnxElementType::kInt8 && symmetric;
    if (source.quantized) source.int8s = data.int8s;
    return source;
  }

  // Bias as float, whether stored as float or as DequantizeLinear of int32; zeros when absent.
  std::vector<float> bias_values(const OnnxNode& node, size_t index, size_t count) {
    if (node.inputs.size() <= index || node.inputs[index].empty()) return std::vector<float>(count, 0.0f);
    std::vector<float> bias = weight_source(node.inputs[index]).fp32;
    if (bias.size() == 1 && count > 1) bias.assign(count, bias[0]);
    if (bias.size() != count) refuse("bias has " + std::to_string(bias.size()) + " values, expected " + std::to_string(count));
    return bias;
  }

  // Per-output-channel weight scales (a per-tensor scale repeated), or nullopt when the channel
  // axis is not the output axis.
  std::optional<std::vector<float>> channel_scales(const WeightSource& weight, int64_t out_axis, size_t out) {
    if (weight.scales.size() == 1) return std::vector<float>(out, weight.scales[0]);
    if (weight.axis != out_axis || weight.scales.size() != out) return std::nullopt;
    return weight.scales;
  }

  // ---- fusion helpers -------------------------------------------------------------------------

  // A Relu, constant Clip or Relu6-as-HardSigmoid that alone reads `name` is folded into the
  // producer's output range.
  Activation fusable_activation(const std::string& name) {
    Activation activation;
    auto readers = model_.consumers(name);
    if (model_.is_output(name) || readers.size() != 1) return activation;
    const OnnxNode* reader = readers[0];
    if (reader->op_type == "Relu") {
      activation = {{reader}, 0.0f, kUnbounded};
    } else if (reader->op_type == "Clip") {
      auto bounds = clip_bounds(*reader);
      if (bounds) activation = {{reader}, bounds->first, bounds->second};
    } else if (reader->op_type == "HardSigmoid") {
      auto relu6 = scaled_hardsigmoid(*reader);
      if (relu6) activation = {{reader, relu6->first}, 0.0f, relu6->second};
    }
    return activation;
  }

  // export/ writes Relu6 as Mul(HardSigmoid(x; alpha 1/k, beta 0), k) = clamp(x, 0, k): the Mul
  // node and k, when `node` starts that form.
  std::optional<std::pair<const OnnxNode*, float>> scaled_hardsigmoid(const OnnxNode& node) {
    if (node.real("beta", 0.5f) != 0.0f || model_.is_output(node.outputs[0])) return std::nullopt;
    auto readers = model_.consumers(node.outputs[0]);
    if (readers.size() != 1 || readers[0]->op_type != "Mul") return std::nullopt;
    const OnnxNode& multiply = *readers[0];
    const std::string& other = multiply.inputs[0] == node.outputs[0] ? multiply.inputs[1] : multiply.inputs[0];
    const OnnxConstant* factor = model_.initializer(other);
    if (!factor || factor->element_count() != 1) return std::nullopt;
    float limit = float(factor->value(0));
    if (std::fabs(limit * node.real("alpha", 0.2f) - 1.0f) > kAttributeTolerance) return std::nullopt;
    return std::make_pair(&multiply, limit);
  }

  std::optional<std::pair<float, float>> clip_bounds(const OnnxNode& node) {
    float low = node.real("min", -kUnbounded), high = node.real("max", kUnbounded);
    for (size_t index = 1; index < node.inputs.size() && index < 3; ++index) {
      if (node.inputs[index].empty()) continue;
      const OnnxConstant* bound = model_.initializer(node.inputs[index]);
      if (!bound) return std::nullopt;
      (index == 1 ? low : high) = float(bound->value(0));
    }
    return std::make_pair(low, high);
  }

  // When every reader of `name` is a QuantizeLinear with the same per-tensor parameters (the QDQ
  // form of "this op's output is int8"), those parameters.
  std::optional<Quantization> quantized_readers(const std::string& name) {
    auto readers = model_.consumers(name);
    if (model_.is_output(name) || readers.empty()) return std::nullopt;
    std::optional<Quantization> shared;
    for (const OnnxNode* reader : readers) {
      if (reader->op_type != "QuantizeLinear") return std::nullopt;
      auto quantization = quantization_of(*reader);
      if (!quantization || (shared && !(*shared == *quantization))) return std::nullopt;
      shared = quantization;
    }
    return shared;
  }

  // The output tensor after an optional fused activation; marks the activation node as done.
  std::string take_activation(const Activation& activation, const std::string& output) {
    if (activation.nodes.empty()) return output;
    for (const OnnxNode* node : activation.nodes) skipped_.insert(node);
    return activation.nodes.back()->outputs[0];
  }

  // ---- node mapping ---------------------------------------------------------------------------

  void define_input() {
    const auto& shape = model_.input_shape();
    if (shape.size() != 4 && shape.size() != 2) refuse("the input must be [N, C, H, W] or [N, F]");
    Value input;
    input.onnx_dims.push_back(batch_);
    for (size_t axis = 1; axis < shape.size(); ++axis) {
      if (shape[axis] <= 0) refuse("the input has a dynamic dimension other than the batch");
      input.onnx_dims.push_back(size_t(shape[axis]));
    }
    std::vector<size_t> dims = to_xnn_dims(input.onnx_dims);
    check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, dims.size(), dims.data(), nullptr,
                                  kXnnpackInputId, XNN_VALUE_FLAG_EXTERNAL_INPUT, &input.fp32),
          "define the input");
    result_.input_size = product(input.onnx_dims, 1);
    store(model_.input_name(), input);
  }

  size_t finish_output(const std::string& name, uint32_t external, std::vector<size_t>& order) {
    Value& output = value(name);
    if (output.fp32 == XNN_INVALID_VALUE_ID) fp32_of(name);
    order = output.feature_order;
    return product(output.onnx_dims, 1);
  }

  void store(const std::string& name, const Value& stored) {
    values_[name] = stored;
    last_stored_ = name;
  }

  void count_operator(const OnnxNode& node) {
    static const std::set<std::string> compute = {"Conv", "Gemm", "MatMul", "Add", "MaxPool", "AveragePool",
                                                  "GlobalAveragePool"};
    if (!compute.count(node.op_type)) return;
    auto found = values_.find(last_stored_);   // the node's output, or its fused activation's
    if (found == values_.end()) return;
    if (found->second.quantized != XNN_INVALID_VALUE_ID && found->second.fp32 == XNN_INVALID_VALUE_ID) {
      ++result_.int8_operators;
    } else {
      ++result_.fp32_operators;
    }
  }

  void map_node(const OnnxNode& node) {
    const std::string& op = node.op_type;
    if (op == "Conv") return convolution(node);
    if (op == "Gemm" || op == "MatMul") return fully_connected(node);
    if (op == "Relu" || op == "Clip") return clamp(node);
    if (op == "HardSwish") return hardswish(node, node.inputs[0], node.outputs[0]);
    if (op == "HardSigmoid") return hardsigmoid(node);
    if (op == "MaxPool" || op == "AveragePool") return pooling(node);
    if (op == "GlobalAveragePool") return global_average_pooling(node);
    if (op == "Flatten" || op == "Reshape") return flatten(node);
    if (op == "Add") return add(node);
    if (op == "Softmax") return softmax(node);
    if (op == "BatchNormalization") return batch_normalization(node);
    if (op == "Identity" || op == "Dropout") return alias(node.inputs[0], node.outputs[0]);
    if (op == "Pad") return pad(node);
    if (op == "QuantizeLinear") return quantize(node);
    if (op == "DequantizeLinear") return dequantize(node);
    refuse("this op is not supported");
  }

  void alias(const std::string& input, const std::string& output) {
    Value copy = value(input);
    if (external_id(output) != XNN_INVALID_VALUE_ID) {   // a graph output needs its own buffer
      uint32_t source = fp32_of(input);
      copy.fp32 = new_fp32(output, copy.onnx_dims);
      copy.quantized = XNN_INVALID_VALUE_ID;
      std::vector<size_t> dims = to_xnn_dims(copy.onnx_dims);
      check(xnn_define_static_reshape(result_.subgraph, dims.size(), dims.data(), source, copy.fp32, 0), "copy");
    }
    store(output, copy);
  }

  void convolution(const OnnxNode& node) {
    const std::string& input_name = node.inputs[0];
    Value& input = value(input_name);
    if (input.onnx_dims.size() != 4) refuse("convolution input must be 4D");
    if (node.text("auto_pad", "NOTSET") != "NOTSET") refuse("auto_pad is not supported; write explicit pads");
    WeightSource weight = weight_source(node.inputs[1]);
    if (weight.shape.size() != 4) refuse("only 2D convolutions are supported");
    size_t out_channels = size_t(weight.shape[0]), group_in = size_t(weight.shape[1]);
    size_t kernel_h = size_t(weight.shape[2]), kernel_w = size_t(weight.shape[3]);
    size_t groups = size_t(node.integer("group", 1));
    size_t channels = input.onnx_dims[1];
    if (group_in * groups != channels) refuse("weight input channels do not match the input");
    auto strides = node.integers("strides", {1, 1});
    auto pads = node.integers("pads", {0, 0, 0, 0});
    auto dilations = node.integers("dilations", {1, 1});
    size_t out_h = (input.onnx_dims[2] + pads[0] + pads[2] - dilations[0] * (kernel_h - 1) - 1) / strides[0] + 1;
    size_t out_w = (input.onnx_dims[3] + pads[1] + pads[3] - dilations[1] * (kernel_w - 1) - 1) / strides[1] + 1;
    std::vector<float> bias = bias_values(node, 2, out_channels);

    Activation activation = fusable_activation(node.outputs[0]);
    std::string output_name = take_activation(activation, node.outputs[0]);
    Value output;
    output.onnx_dims = {batch_, out_channels, out_h, out_w};

    bool depthwise = groups > 1 && groups == channels && group_in == 1;
    auto output_quantization = quantized_readers(output_name);
    auto scales = channel_scales(weight, 0, out_channels);
    bool int8 = weight.quantized && has_quantized(input_name) && output_quantization && scales;
    std::string key = node.outputs[0] + (int8 ? "/int8" : "/fp32");

    uint32_t filter = XNN_INVALID_VALUE_ID, bias_id = XNN_INVALID_VALUE_ID, input_id, output_id;
    std::vector<size_t> filter_dims = depthwise ? std::vector<size_t>{1, kernel_h, kernel_w, out_channels}
                                                : std::vector<size_t>{out_channels, kernel_h, kernel_w, group_in};
    if (int8) {
      input_id = input.quantized;
      define_int8_filter_and_bias(key, weight, *scales, filter_dims, depthwise ? 3 : 0, bias, input.quantization.scale,
                                  depthwise, filter, bias_id);
      output.quantized = output_id = new_quantized(output.onnx_dims, *output_quantization);
      output.quantization = *output_quantization;
    } else {
      input_id = fp32_of(input_name);
      const void* packed = weights_.find(key + "/filter");
      if (!packed) {
        packed = weights_.keep(key + "/filter", as_bytes(depthwise ? filter_to_hwo(weight.fp32, weight.shape)
                                                                   : filter_to_ohwi(weight.fp32, weight.shape)));
      }
      check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, 4, filter_dims.data(), packed,
                                    XNN_INVALID_VALUE_ID, 0, &filter),
            "define a filter");
      bias_id = static_fp32(key + "/bias", {out_channels}, bias);
      output.fp32 = output_id = new_fp32(output_name, output.onnx_dims);
    }
    xnn_status status;
    if (depthwise) {
      status = xnn_define_depthwise_convolution_2d(
          result_.subgraph, uint32_t(pads[0]), uint32_t(pads[3]), uint32_t(pads[2]), uint32_t(pads[1]),
          uint32_t(kernel_h), uint32_t(kernel_w), uint32_t(strides[0]), uint32_t(strides[1]), uint32_t(dilations[0]),
          uint32_t(dilations[1]), uint32_t(out_channels / channels), channels, activation.low, activation.high,
          input_id, filter, bias_id, output_id, 0);
    } else {
      status = xnn_define_convolution_2d(
          result_.subgraph, uint32_t(pads[0]), uint32_t(pads[3]), uint32_t(pads[2]), uint32_t(pads[1]),
          uint32_t(kernel_h), uint32_t(kernel_w), uint32_t(strides[0]), uint32_t(strides[1]), uint32_t(dilations[0]),
          uint32_t(dilations[1]), uint32_t(groups), group_in, out_channels / groups, activation.low, activation.high,
          input_id, filter, bias_id, output_id, 0);
    }
    check(status, "define the convolution");
    store(output_name, output);
  }

  // qcint8 filter (per output channel) and qcint32 bias at scale input_scale × filter_scale[c].
  void define_int8_filter_and_bias(const std::string& key, const WeightSource& weight, const std::vector<float>& scales,
                                   const std::vector<size_t>& filter_dims, size_t channel_dim,
                                   const std::vector<float>& bias, float input_scale, bool depthwise, uint32_t& filter,
                                   uint32_t& bias_id) {
    const void* packed = weights_.find(key + "/filter");
    if (!packed) {
      std::vector<int8_t> repacked = weight.shape.size() == 4
                                         ? (depthwise ? filter_to_hwo(weight.int8s, weight.shape)
                                                      : filter_to_ohwi(weight.int8s, weight.shape))
                                         : weight.int8s;
      packed = weights_.keep(key + "/filter", as_bytes(repacked));
    }
    const float* filter_scales = static_cast<const float*>(weights_.find(key + "/scales"));
    if (!filter_scales) filter_scales = static_cast<const float*>(weights_.keep(key + "/scales", as_bytes(scales)));
    check(xnn_define_channelwise_quantized_tensor_value(result_.subgraph, xnn_datatype_qcint8, filter_scales,
                                                        filter_dims.size(), channel_dim, filter_dims.data(), packed,
                                                        XNN_INVALID_VALUE_ID, 0, &filter),
          "define an int8 filter");
    std::vector<float> bias_scales(scales.size());
    std::vector<int32_t> quantized_bias(scales.size());
    for (size_t channel = 0; channel < scales.size(); ++channel) {
      bias_scales[channel] = input_scale * scales[channel];
      quantized_bias[channel] = int32_t(std::lrint(double(bias[channel]) / double(bias_scales[channel])));
    }
    const void* bias_data = weights_.find(key + "/bias");
    if (!bias_data) bias_data = weights_.keep(key + "/bias", as_bytes(quantized_bias));
    const float* kept_scales = static_cast<const float*>(weights_.find(key + "/bias_scales"));
    if (!kept_scales) kept_scales = static_cast<const float*>(weights_.keep(key + "/bias_scales", as_bytes(bias_scales)));
    size_t bias_dims[1] = {scales.size()};
    check(xnn_define_channelwise_quantized_tensor_value(result_.subgraph, xnn_datatype_qcint32, kept_scales, 1, 0,
                                                        bias_dims, bias_data, XNN_INVALID_VALUE_ID, 0, &bias_id),
          "define an int32 bias");
  }

  void fully_connected(const OnnxNode& node) {
    const std::string& input_name = node.inputs[0];
    Value& input = value(input_name);
    if (input.onnx_dims.size() != 2) refuse("fully connected input must be 2D (Flatten first)");
    bool matmul = node.op_type == "MatMul";
    if (!matmul && (node.real("alpha", 1.0f) != 1.0f || node.real("beta", 1.0f) != 1.0f || node.integer("transA", 0))) {
      refuse("Gemm with alpha, beta or transA other than 1, 1, 0");
    }
    WeightSource weight = weight_source(node.inputs[1]);
    if (weight.shape.size() != 2) refuse("the weight must be 2D");
    bool out_first = !matmul && node.integer("transB", 0) != 0;
    size_t in = input.onnx_dims[1];
    size_t out = size_t(out_first ? weight.shape[0] : weight.shape[1]);
    if (size_t(out_first ? weight.shape[1] : weight.shape[0]) != in) refuse("weight does not match the input width");

    std::string produced = node.outputs[0];
    std::vector<float> bias(out, 0.0f);
    if (!matmul) {
      bias = bias_values(node, 2, out);
    } else {   // MatMul followed by Add of a constant vector: the bias
      auto readers = model_.consumers(produced);
      if (!model_.is_output(produced) && readers.size() == 1 && readers[0]->op_type == "Add") {
        const OnnxNode& add_node = *readers[0];
        const std::string& other = add_node.inputs[0] == produced ? add_node.inputs[1] : add_node.inputs[0];
        const OnnxConstant* constant_bias = model_.initializer(other);
        if (constant_bias && size_t(constant_bias->element_count()) == out) {
          bias = weight_source(other).fp32;
          skipped_.insert(&add_node);
          produced = add_node.outputs[0];
        }
      }
    }
    Activation activation = fusable_activation(produced);
    std::string output_name = take_activation(activation, produced);
    Value output;
    output.onnx_dims = {batch_, out};
    std::string key = node.outputs[0];

    auto output_quantization = quantized_readers(output_name);
    auto scales = channel_scales(weight, out_first ? 0 : 1, out);
    if (weight.quantized && has_quantized(input_name) && output_quantization && scales) {
      // XNNPACK (2022-02) has per-channel int8 only in convolutions: run it as a 1×1 convolution.
      WeightSource rows = weight;
      rows.int8s = matrix_to_rows(weight.int8s, int64_t(out), int64_t(in), out_first, input.feature_order);
      rows.shape = {int64_t(out), int64_t(in)};
      uint32_t filter, bias_id;
      define_int8_filter_and_bias(key + "/int8", rows, *scales, {out, 1, 1, in}, 0, bias, input.quantization.scale,
                                  false, filter, bias_id);
      uint32_t image_in = new_quantized({batch_, in, 1, 1}, input.quantization);
      size_t image_dims[4] = {batch_, 1, 1, in};
      check(xnn_define_static_reshape(result_.subgraph, 4, image_dims, input.quantized, image_in, 0), "reshape");
      uint32_t image_out = new_quantized({batch_, out, 1, 1}, *output_quantization);
      check(xnn_define_convolution_2d(result_.subgraph, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, in, out, activation.low,
                                      activation.high, image_in, filter, bias_id, image_out, 0),
            "define the int8 fully connected layer");
      output.quantized = new_quantized(output.onnx_dims, *output_quantization);
      output.quantization = *output_quantization;
      size_t row_dims[2] = {batch_, out};
      check(xnn_define_static_reshape(result_.subgraph, 2, row_dims, image_out, output.quantized, 0), "reshape");
    } else {
      uint32_t input_id = fp32_of(input_name);
      const void* packed = weights_.find(key + "/fp32/filter");
      if (!packed) {
        packed = weights_.keep(key + "/fp32/filter",
                               as_bytes(matrix_to_rows(weight.fp32, int64_t(out), int64_t(in), out_first, input.feature_order)));
      }
      size_t filter_dims[2] = {out, in};
      uint32_t filter;
      check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, 2, filter_dims, packed, XNN_INVALID_VALUE_ID,
                                    0, &filter),
            "define a weight");
      uint32_t bias_id = static_fp32(key + "/fp32/bias", {out}, bias);
      output.fp32 = new_fp32(output_name, output.onnx_dims);
      check(xnn_define_fully_connected(result_.subgraph, activation.low, activation.high, input_id, filter, bias_id,
                                       output.fp32, 0),
            "define the fully connected layer");
    }
    store(output_name, output);
  }

  void clamp(const OnnxNode& node) {
    float low = 0.0f, high = kUnbounded;
    if (node.op_type == "Clip") {
      auto bounds = clip_bounds(node);
      if (!bounds) refuse("Clip bounds must be constants");
      std::tie(low, high) = *bounds;
    }
    define_clamp(node.inputs[0], node.outputs[0], low, high);
  }

  void define_clamp(const std::string& input_name, const std::string& output_name, float low, float high) {
    Value& input = value(input_name);
    Value output;
    output.onnx_dims = input.onnx_dims;
    output.feature_order = input.feature_order;
    auto output_quantization = quantized_readers(output_name);
    if (has_quantized(input_name) && output_quantization && *output_quantization == input.quantization) {
      output.quantized = new_quantized(output.onnx_dims, input.quantization);
      output.quantization = input.quantization;
      check(xnn_define_clamp(result_.subgraph, low, high, input.quantized, output.quantized, 0), "define a clamp");
    } else {
      uint32_t input_id = fp32_of(input_name);
      output.fp32 = new_fp32(output_name, output.onnx_dims);
      check(xnn_define_clamp(result_.subgraph, low, high, input_id, output.fp32, 0), "define a clamp");
    }
    store(output_name, output);
  }

  // BatchNormalization not folded into a convolution: x·a + b per channel, in fp32.
  void batch_normalization(const OnnxNode& node) {
    Value& input = value(node.inputs[0]);
    if (!input.feature_order.empty()) refuse("BatchNormalization after a flatten of an image");
    std::vector<float> scale = weight_source(node.inputs[1]).fp32, shift = weight_source(node.inputs[2]).fp32;
    std::vector<float> mean = weight_source(node.inputs[3]).fp32, variance = weight_source(node.inputs[4]).fp32;
    float epsilon = node.real("epsilon", 1e-5f);
    size_t channels = input.onnx_dims[1];
    if (scale.size() != channels || shift.size() != channels || mean.size() != channels || variance.size() != channels) {
      refuse("BatchNormalization parameters do not match the channels");
    }
    std::vector<float> multiplier(channels), offset(channels);
    for (size_t channel = 0; channel < channels; ++channel) {
      multiplier[channel] = scale[channel] / std::sqrt(variance[channel] + epsilon);
      offset[channel] = shift[channel] - mean[channel] * multiplier[channel];
    }
    std::vector<size_t> dims = input.onnx_dims.size() == 4 ? std::vector<size_t>{1, 1, 1, channels}
                                                           : std::vector<size_t>{1, channels};
    uint32_t multiplier_id = static_fp32(node.outputs[0] + "/multiplier", dims, multiplier);
    uint32_t offset_id = static_fp32(node.outputs[0] + "/offset", dims, offset);
    uint32_t input_id = fp32_of(node.inputs[0]);
    std::vector<size_t> xnn_dims = to_xnn_dims(input.onnx_dims);
    uint32_t scaled = XNN_INVALID_VALUE_ID;
    check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, xnn_dims.size(), xnn_dims.data(), nullptr,
                                  XNN_INVALID_VALUE_ID, 0, &scaled),
          "define a float tensor");
    check(xnn_define_multiply2(result_.subgraph, -kUnbounded, kUnbounded, input_id, multiplier_id, scaled, 0),
          "define a multiply");
    Activation activation = fusable_activation(node.outputs[0]);
    std::string output_name = take_activation(activation, node.outputs[0]);
    Value output;
    output.onnx_dims = input.onnx_dims;
    output.fp32 = new_fp32(output_name, output.onnx_dims);
    check(xnn_define_add2(result_.subgraph, activation.low, activation.high, scaled, offset_id, output.fp32, 0),
          "define an add");
    store(output_name, output);
  }

  void hardswish(const OnnxNode& node, const std::string& input_name, const std::string& output_name) {
    uint32_t input_id = fp32_of(input_name);
    Value output;
    output.onnx_dims = value(input_name).onnx_dims;
    output.feature_order = value(input_name).feature_order;
    output.fp32 = new_fp32(output_name, output.onnx_dims);
    check(xnn_define_hardswish(result_.subgraph, input_id, output.fp32, 0), "define a hardswish");
    store(output_name, output);
  }

  // PyTorch writes HardSwish at opset < 14 as Mul(x, HardSigmoid(x; alpha 1/6, beta 1/2)).
  void hardsigmoid(const OnnxNode& node) {
    bool standard = std::fabs(node.real("alpha", 0.2f) - kHardSigmoidAlpha) < kAttributeTolerance &&
                    std::fabs(node.real("beta", 0.5f) - kHardSigmoidBeta) < kAttributeTolerance;
    auto readers = model_.consumers(node.outputs[0]);
    const std::string& x = node.inputs[0];
    if (auto relu6 = scaled_hardsigmoid(node)) {
      skipped_.insert(relu6->first);
      return define_clamp(x, relu6->first->outputs[0], 0.0f, relu6->second);
    }
    if (standard && readers.size() == 1 && readers[0]->op_type == "Mul" && !model_.is_output(node.outputs[0])) {
      const OnnxNode& multiply = *readers[0];
      bool pairs = (multiply.inputs[0] == x && multiply.inputs[1] == node.outputs[0]) ||
                   (multiply.inputs[1] == x && multiply.inputs[0] == node.outputs[0]);
      if (pairs) {
        skipped_.insert(&multiply);
        return hardswish(node, x, multiply.outputs[0]);
      }
    }
    refuse("HardSigmoid is supported only as x * HardSigmoid(x; 1/6, 1/2) (HardSwish) or k * HardSigmoid(x; 1/k, 0) "
           "(Relu6)");
  }

  void pooling(const OnnxNode& node) {
    const std::string& input_name = node.inputs[0];
    Value& input = value(input_name);
    if (input.onnx_dims.size() != 4) refuse("pooling input must be 4D");
    if (node.integer("ceil_mode", 0) != 0) refuse("ceil_mode 1 is not supported");
    if (node.text("auto_pad", "NOTSET") != "NOTSET") refuse("auto_pad is not supported; write explicit pads");
    auto kernel = node.integers("kernel_shape", {});
    if (kernel.size() != 2) refuse("kernel_shape must have 2 values");
    auto strides = node.integers("strides", {1, 1});
    auto pads = node.integers("pads", {0, 0, 0, 0});
    auto dilations = node.integers("dilations", {1, 1});
    bool is_max = node.op_type == "MaxPool";
    bool padded = pads[0] || pads[1] || pads[2] || pads[3];
    if (!is_max && padded && node.integer("count_include_pad", 0)) refuse("count_include_pad 1 with padding");
    if (!is_max && (dilations[0] != 1 || dilations[1] != 1)) refuse("dilated average pooling");
    Value output;
    output.onnx_dims = {batch_, input.onnx_dims[1],
                        size_t((int64_t(input.onnx_dims[2]) + pads[0] + pads[2] - dilations[0] * (kernel[0] - 1) - 1) / strides[0] + 1),
                        size_t((int64_t(input.onnx_dims[3]) + pads[1] + pads[3] - dilations[1] * (kernel[1] - 1) - 1) / strides[1] + 1)};
    uint32_t input_id, output_id;
    if (is_max && has_quantized(input_name)) {   // max pooling keeps the input's int8 scale
      input_id = input.quantized;
      output.quantization = input.quantization;
      output.quantized = output_id = new_quantized(output.onnx_dims, input.quantization);
    } else {
      input_id = fp32_of(input_name);
      output.fp32 = output_id = new_fp32(node.outputs[0], output.onnx_dims);
    }
    xnn_status status;
    if (is_max) {
      status = xnn_define_max_pooling_2d(result_.subgraph, uint32_t(pads[0]), uint32_t(pads[3]), uint32_t(pads[2]),
                                         uint32_t(pads[1]), uint32_t(kernel[0]), uint32_t(kernel[1]),
                                         uint32_t(strides[0]), uint32_t(strides[1]), uint32_t(dilations[0]),
                                         uint32_t(dilations[1]), -kUnbounded, kUnbounded, input_id, output_id, 0);
    } else {
      status = xnn_define_average_pooling_2d(result_.subgraph, uint32_t(pads[0]), uint32_t(pads[3]), uint32_t(pads[2]),
                                             uint32_t(pads[1]), uint32_t(kernel[0]), uint32_t(kernel[1]),
                                             uint32_t(strides[0]), uint32_t(strides[1]), -kUnbounded, kUnbounded,
                                             input_id, output_id, 0);
    }
    check(status, "define a pooling");
    store(node.outputs[0], output);
  }

  void global_average_pooling(const OnnxNode& node) {
    const std::string& input_name = node.inputs[0];
    Value& input = value(input_name);
    if (input.onnx_dims.size() != 4) refuse("input must be 4D");
    Value output;
    output.onnx_dims = {batch_, input.onnx_dims[1], 1, 1};
    auto output_quantization = quantized_readers(node.outputs[0]);
    uint32_t input_id;
    if (has_quantized(input_name) && output_quantization) {
      input_id = input.quantized;
      output.quantization = *output_quantization;
      output.quantized = new_quantized(output.onnx_dims, *output_quantization);
    } else {
      input_id = fp32_of(input_name);
      output.fp32 = new_fp32(node.outputs[0], output.onnx_dims);
    }
    uint32_t output_id = output.quantized != XNN_INVALID_VALUE_ID ? output.quantized : output.fp32;
    check(xnn_define_global_average_pooling_2d(result_.subgraph, -kUnbounded, kUnbounded, input_id, output_id, 0),
          "define a global average pooling");
    store(node.outputs[0], output);
  }

  // Flatten (axis 1) and Reshape to [N, -1]: NHWC order is kept, and feature_order remembers it.
  void flatten(const OnnxNode& node) {
    const std::string& input_name = node.inputs[0];
    Value& input = value(input_name);
    if (node.op_type == "Flatten" && node.integer("axis", 1) != 1) refuse("Flatten axis must be 1");
    size_t features = product(input.onnx_dims, 1);
    if (node.op_type == "Reshape") {
      const OnnxConstant& target = constant(node.inputs[1]);
      bool to_rows = target.element_count() == 2 &&
                     (target.value(0) == 0 || target.value(0) == -1 || size_t(target.value(0)) == batch_) &&
                     (target.value(1) == -1 || size_t(target.value(1)) == features);
      if (!to_rows) refuse("only Reshape to [N, -1] (a flatten) is supported");
    }
    Value output;
    output.onnx_dims = {batch_, features};
    if (input.onnx_dims.size() == 4) {
      size_t channels = input.onnx_dims[1], plane = input.onnx_dims[2] * input.onnx_dims[3];
      if (channels > 1 && plane > 1) {
        output.feature_order.resize(features);
        for (size_t channel = 0; channel < channels; ++channel)
          for (size_t at = 0; at < plane; ++at) output.feature_order[channel * plane + at] = at * channels + channel;
      }
    } else {
      output.feature_order = input.feature_order;
    }
    size_t dims[2] = {batch_, features};
    bool quantized_only = input.fp32 == XNN_INVALID_VALUE_ID && external_id(node.outputs[0]) == XNN_INVALID_VALUE_ID;
    if (quantized_only) {
      output.quantization = input.quantization;
      output.quantized = new_quantized(output.onnx_dims, input.quantization);
      check(xnn_define_static_reshape(result_.subgraph, 2, dims, input.quantized, output.quantized, 0), "reshape");
    } else {
      uint32_t input_id = fp32_of(input_name);
      output.fp32 = new_fp32(node.outputs[0], output.onnx_dims);
      check(xnn_define_static_reshape(result_.subgraph, 2, dims, input_id, output.fp32, 0), "reshape");
    }
    store(node.outputs[0], output);
  }

  void add(const OnnxNode& node) {
    const OnnxConstant* left_constant = model_.initializer(node.inputs[0]);
    const OnnxConstant* right_constant = model_.initializer(node.inputs[1]);
    if (left_constant && right_constant) refuse("adding two constants");
    if (left_constant || right_constant) return add_constant(node, left_constant ? node.inputs[1] : node.inputs[0],
                                                             left_constant ? node.inputs[0] : node.inputs[1]);
    Value& left = value(node.inputs[0]);
    Value& right = value(node.inputs[1]);
    if (left.onnx_dims != right.onnx_dims) refuse("Add of tensors with different shapes");
    if (left.feature_order != right.feature_order) refuse("Add of tensors flattened in different orders");
    Activation activation = fusable_activation(node.outputs[0]);
    std::string output_name = take_activation(activation, node.outputs[0]);
    Value output;
    output.onnx_dims = left.onnx_dims;
    output.feature_order = left.feature_order;
    auto output_quantization = quantized_readers(output_name);
    uint32_t left_id, right_id, output_id;
    if (has_quantized(node.inputs[0]) && has_quantized(node.inputs[1]) && output_quantization) {
      left_id = left.quantized;
      right_id = right.quantized;
      output.quantization = *output_quantization;
      output.quantized = output_id = new_quantized(output.onnx_dims, *output_quantization);
    } else {
      left_id = fp32_of(node.inputs[0]);
      right_id = fp32_of(node.inputs[1]);
      output.fp32 = output_id = new_fp32(output_name, output.onnx_dims);
    }
    check(xnn_define_add2(result_.subgraph, activation.low, activation.high, left_id, right_id, output_id, 0),
          "define an add");
    store(output_name, output);
  }

  // Activation + constant broadcast along channels ([C], [1, C] for rows; [C, 1, 1] or [1, C, 1, 1] for images).
  void add_constant(const OnnxNode& node, const std::string& input_name, const std::string& constant_name) {
    Value& input = value(input_name);
    std::vector<float> values = weight_source(constant_name).fp32;
    size_t channels = input.onnx_dims[1];
    if (values.size() != channels || !input.feature_order.empty()) refuse("Add of a constant that is not per channel");
    std::vector<size_t> dims = input.onnx_dims.size() == 4 ? std::vector<size_t>{1, 1, 1, channels}
                                                           : std::vector<size_t>{1, channels};
    uint32_t constant_id = static_fp32(node.outputs[0] + "/constant", dims, values);
    uint32_t input_id = fp32_of(input_name);
    Value output;
    output.onnx_dims = input.onnx_dims;
    output.fp32 = new_fp32(node.outputs[0], output.onnx_dims);
    check(xnn_define_add2(result_.subgraph, -kUnbounded, kUnbounded, input_id, constant_id, output.fp32, 0),
          "define an add");
    store(node.outputs[0], output);
  }

  void softmax(const OnnxNode& node) {
    Value& input = value(node.inputs[0]);
    int64_t axis = node.integer("axis", -1);
    if (input.onnx_dims.size() != 2 || (axis != 1 && axis != -1)) refuse("Softmax only over the last axis of [N, F]");
    uint32_t input_id = fp32_of(node.inputs[0]);
    Value output;
    output.onnx_dims = input.onnx_dims;
    output.feature_order = input.feature_order;
    output.fp32 = new_fp32(node.outputs[0], output.onnx_dims);
    check(xnn_define_softmax(result_.subgraph, input_id, output.fp32, 0), "define a softmax");
    store(node.outputs[0], output);
  }

  // Pad with zeros (PyTorch writes an all-zero Pad before AveragePool).
  void pad(const OnnxNode& node) {
    if (node.text("mode", "constant") != "constant") refuse("only constant padding");
    Value& input = value(node.inputs[0]);
    const OnnxConstant& pads = constant(node.inputs[1]);
    float fill = node.inputs.size() > 2 && !node.inputs[2].empty() ? float(constant(node.inputs[2]).value(0)) : 0.0f;
    size_t rank = input.onnx_dims.size();
    if (size_t(pads.element_count()) != 2 * rank) refuse("pads must have two values per axis");
    std::vector<size_t> before(rank), after(rank);
    bool any = false;
    for (size_t axis = 0; axis < rank; ++axis) {
      before[axis] = size_t(pads.value(int64_t(axis)));
      after[axis] = size_t(pads.value(int64_t(axis + rank)));
      any = any || before[axis] || after[axis];
    }
    if (!any) return alias(node.inputs[0], node.outputs[0]);
    if (rank != 4 || before[0] || before[1] || after[0] || after[1]) refuse("only spatial padding of images");
    Value output;
    output.onnx_dims = input.onnx_dims;
    output.onnx_dims[2] += before[2] + after[2];
    output.onnx_dims[3] += before[3] + after[3];
    uint32_t input_id = fp32_of(node.inputs[0]);
    output.fp32 = new_fp32(node.outputs[0], output.onnx_dims);
    std::vector<size_t> pre = to_xnn_dims(before), post = to_xnn_dims(after);
    check(xnn_define_static_constant_pad(result_.subgraph, pre.data(), post.data(), fill, input_id, output.fp32, 0),
          "define a pad");
    store(node.outputs[0], output);
  }

  void quantize(const OnnxNode& node) {
    auto quantization = quantization_of(node);
    if (!quantization) refuse("QuantizeLinear must be per tensor with a constant scale and int8 zero point");
    Value output;
    output.onnx_dims = value(node.inputs[0]).onnx_dims;
    output.feature_order = value(node.inputs[0]).feature_order;
    output.quantized = quantized_of(node.inputs[0], *quantization);
    output.quantization = *quantization;
    store(node.outputs[0], output);
  }

  void dequantize(const OnnxNode& node) {
    if (model_.initializer(node.inputs[0])) return;   // a weight: read by weight_source()
    auto quantization = quantization_of(node);
    Value& input = value(node.inputs[0]);
    if (!quantization || input.quantized == XNN_INVALID_VALUE_ID || !(*quantization == input.quantization)) {
      refuse("DequantizeLinear must read a QuantizeLinear output with the same scale and zero point");
    }
    Value output = input;
    output.fp32 = XNN_INVALID_VALUE_ID;
    store(node.outputs[0], output);
    if (external_id(node.outputs[0]) != XNN_INVALID_VALUE_ID) fp32_of(node.outputs[0]);
  }

  const OnnxModel& model_;
  size_t batch_;
  XnnpackWeightStore& weights_;
  OutputLayout layout_;
  XnnpackSubgraph result_;
  std::map<std::string, Value> values_;
  std::map<std::string, const OnnxNode*> producers_;
  std::set<const OnnxNode*> skipped_;
  const OnnxNode* current_ = nullptr;
  std::string last_stored_;
};

}  // namespace

const void* XnnpackWeightStore::find(const std::string& key) const {
  auto found = blobs_.find(key);
  return found == blobs_.end() ? nullptr : found->second.data();
}

const void* XnnpackWeightStore::keep(const std::string& key, std::vector<uint8_t> bytes) {
  bytes_ += bytes.size();
  bytes.resize(bytes.size() + XNN_EXTRA_BYTES);
  auto& stored = blobs_[key];
  stored = std::move(bytes);
  return stored.data();
}

XnnpackSubgraph build_xnnpack_subgraph(const OnnxModel& model, int batch, XnnpackWeightStore& weights) {
  return SubgraphBuilder(model, batch, weights).build();
}

}  // namespace edgeloop
