#include "edgeloop/export/int8_quantizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/export/onnx_graph_builder.h"
#include "edgeloop/export/onnx_reference_runner.h"

namespace edgeloop {
namespace {

constexpr float kInt8Minimum = -128.0f;
constexpr float kInt8Maximum = 127.0f;
constexpr float kWeightLevels = 127.0f;          // symmetric weights use -127..127
constexpr float kActivationLevels = 255.0f;      // asymmetric activations use the full -128..127
constexpr float kSmallestScale = 1e-12f;         // a channel of zeros still needs a positive scale
constexpr const char* kQuantizedSuffix = ".quantized";
constexpr const char* kDequantizedSuffix = ".dequantized";

// Ops whose float inputs are quantized (a QDQ pair in front of each activation they read).
// Softmax is not one: the logits stay float (see int8_quantizer.h).
const std::set<std::string>& quantized_input_ops() {
  static const std::set<std::string> ops = {"Conv", "Gemm", "Add", "MaxPool", "AveragePool", "Pad",
                                            "GlobalAveragePool", "Flatten"};
  return ops;
}

struct ActivationQuantization {
  float scale = 1.0f;
  int8_t zero_point = 0;
};

ActivationQuantization activation_quantization(const ActivationRange& range) {
  const float low = std::min(range.min, 0.0f), high = std::max(range.max, 0.0f);
  if (high - low <= 0.0f) return {};
  ActivationQuantization result;
  result.scale = (high - low) / kActivationLevels;
  result.zero_point = static_cast<int8_t>(std::clamp(std::nearbyint(kInt8Minimum - low / result.scale), kInt8Minimum, kInt8Maximum));
  return result;
}

class QdqRewriter {
 public:
  QdqRewriter(const onnx::ModelProto& fp32, const CalibrationRanges& ranges)
      : source_(fp32.graph()), ranges_(ranges) {
    for (const onnx::TensorProto& tensor : source_.initializer()) initializers_[tensor.name()] = &tensor;
  }

  onnx::ModelProto rewrite(const onnx::ModelProto& fp32) {
    onnx::ModelProto result = fp32;
    onnx::GraphProto* graph = result.mutable_graph();
    graph->clear_node();
    graph->clear_initializer();
    graph_ = graph;
    OnnxGraphBuilder builder(*graph);
    choose_quantized_tensors();
    for (const onnx::ValueInfoProto& input : source_.input()) {
      if (quantized_.count(input.name())) add_activation_qdq(builder, input.name());
    }
    for (const onnx::NodeProto& node : source_.node()) {
      onnx::NodeProto rewritten = node;
      if (node.op_type() == "Conv" || node.op_type() == "Gemm") {
        quantize_weight_and_bias(builder, rewritten);
      } else {
        copy_constant_inputs(rewritten);
      }
      for (int position = 0; position < rewritten.input_size(); ++position) {
        if (quantized_.count(rewritten.input(position))) rewritten.set_input(position, rewritten.input(position) + kDequantizedSuffix);
      }
      *graph->add_node() = rewritten;
      for (const std::string& output : node.output()) {
        if (quantized_.count(output)) add_activation_qdq(builder, output);
      }
    }
    return result;
  }

 private:
  void choose_quantized_tensors() {
    for (const onnx::NodeProto& node : source_.node()) {
      if (!quantized_input_ops().count(node.op_type())) continue;
      // Conv/Gemm read their weights and biases as initializers; only the first input is an activation.
      const int activation_inputs = (node.op_type() == "Conv" || node.op_type() == "Gemm") ? 1 : node.input_size();
      for (int position = 0; position < activation_inputs; ++position) {
        if (!initializers_.count(node.input(position))) quantized_.insert(node.input(position));
      }
    }
  }

  void add_activation_qdq(OnnxGraphBuilder& builder, const std::string& tensor) {
    auto range = ranges_.find(tensor);
    if (range == ranges_.end()) throw internal_error("no calibration range for tensor " + tensor + ": calibrate this model first");
    const ActivationQuantization quantization = activation_quantization(range->second);
    activation_scales_[tensor] = quantization.scale;
    builder.add_float_initializer(tensor + ".scale", {}, {quantization.scale});
    builder.add_int8_initializer(tensor + ".zero_point", {}, {quantization.zero_point});
    builder.add_node("QuantizeLinear", {tensor, tensor + ".scale", tensor + ".zero_point"}, {tensor + kQuantizedSuffix});
    builder.add_node("DequantizeLinear", {tensor + kQuantizedSuffix, tensor + ".scale", tensor + ".zero_point"},
                     {tensor + kDequantizedSuffix});
  }

  // Initializers of other nodes (Relu6's limit, Pad's pads) are copied as they are, once.
  void copy_constant_inputs(const onnx::NodeProto& node) {
    for (const std::string& input : node.input()) {
      auto found = initializers_.find(input);
      if (found != initializers_.end() && copied_.insert(input).second) {
        *graph_->add_initializer() = *found->second;
      }
    }
  }

  // Weight → int8 per output channel; bias → int32 at input scale × weight scale.
  void quantize_weight_and_bias(OnnxGraphBuilder& builder, onnx::NodeProto& node) {
    const onnx::TensorProto& weight_tensor = *initializers_.at(node.input(1));
    const std::vector<int64_t> shape = tensor_shape(weight_tensor);
    const std::vector<float> weight = float_values(weight_tensor);
    const int64_t channels = shape.front();
    const size_t per_channel = weight.size() / channels;
    std::vector<float> weight_scales(channels);
    std::vector<int8_t> quantized(weight.size());
    for (int64_t channel = 0; channel < channels; ++channel) {
      float largest = 0.0f;
      for (size_t element = 0; element < per_channel; ++element) largest = std::max(largest, std::abs(weight[channel * per_channel + element]));
      weight_scales[channel] = std::max(largest / kWeightLevels, kSmallestScale);
      for (size_t element = 0; element < per_channel; ++element) {
        const size_t index = channel * per_channel + element;
        quantized[index] = static_cast<int8_t>(std::clamp(std::nearbyint(weight[index] / weight_scales[channel]), -kWeightLevels, kWeightLevels));
      }
    }
    const std::string weight_name = node.input(1);
    builder.add_int8_initializer(weight_name + kQuantizedSuffix, shape, quantized);
    builder.add_float_initializer(weight_name + ".scale", {channels}, weight_scales);
    builder.add_int8_initializer(weight_name + ".zero_point", {channels}, std::vector<int8_t>(channels, 0));
    builder.add_node("DequantizeLinear", {weight_name + kQuantizedSuffix, weight_name + ".scale", weight_name + ".zero_point"},
                     {weight_name + kDequantizedSuffix}, {OnnxAttribute::integer("axis", 0)});
    node.set_input(1, weight_name + kDequantizedSuffix);

    if (node.input_size() < 3 || node.input(2).empty()) return;
    const std::string bias_name = node.input(2);
    const std::vector<float> bias = float_values(*initializers_.at(bias_name));
    auto input_scale = activation_scales_.find(node.input(0));
    if (input_scale == activation_scales_.end()) throw internal_error("node " + node.name() + ": its input is not quantized");
    std::vector<float> bias_scales(channels);
    std::vector<int32_t> quantized_bias(channels);
    for (int64_t channel = 0; channel < channels; ++channel) {
      bias_scales[channel] = std::max(input_scale->second * weight_scales[channel], kSmallestScale);
      const double level = std::nearbyint(bias[channel] / static_cast<double>(bias_scales[channel]));
      quantized_bias[channel] = static_cast<int32_t>(std::clamp<double>(level, std::numeric_limits<int32_t>::min(),
                                                                        std::numeric_limits<int32_t>::max()));
    }
    builder.add_int32_initializer(bias_name + kQuantizedSuffix, {channels}, quantized_bias);
    builder.add_float_initializer(bias_name + ".scale", {channels}, bias_scales);
    builder.add_node("DequantizeLinear", {bias_name + kQuantizedSuffix, bias_name + ".scale"}, {bias_name + kDequantizedSuffix},
                     {OnnxAttribute::integer("axis", 0)});
    node.set_input(2, bias_name + kDequantizedSuffix);
  }

  const onnx::GraphProto& source_;
  const CalibrationRanges& ranges_;
  std::map<std::string, const onnx::TensorProto*> initializers_;
  std::set<std::string> quantized_;
  std::set<std::string> copied_;
  std::map<std::string, float> activation_scales_;
  onnx::GraphProto* graph_ = nullptr;   // the graph being written (inside rewrite())
};

}  // namespace

CalibrationRanges calibrate_activation_ranges(const onnx::ModelProto& fp32, const std::vector<NamedTensor>& batches,
                                              const ProgressCallback& progress) {
  if (batches.empty()) throw invalid_argument("calibration needs images: the model's training split is empty");
  OnnxReferenceRunner runner(fp32);
  CalibrationRanges ranges;
  int64_t done = 0;
  auto record = [&](const std::string& name, const NamedTensor& tensor) {
    if (tensor.values.empty()) return;
    const auto [low, high] = std::minmax_element(tensor.values.begin(), tensor.values.end());
    auto [entry, inserted] = ranges.try_emplace(name, ActivationRange{*low, *high});
    if (!inserted) {
      entry->second.min = std::min(entry->second.min, *low);
      entry->second.max = std::max(entry->second.max, *high);
    }
  };
  for (const NamedTensor& batch : batches) {
    record(runner.input_name(), batch);
    for (const auto& [name, tensor] : runner.run(batch, /*keep_intermediates=*/true)) record(name, tensor);
    if (progress) progress(Progress{"calibrate int8", ++done, static_cast<int64_t>(batches.size()), ""});
  }
  return ranges;
}

onnx::ModelProto quantize_to_qdq(const onnx::ModelProto& fp32, const CalibrationRanges& ranges) {
  return QdqRewriter(fp32, ranges).rewrite(fp32);
}

int64_t initializer_bytes(const onnx::ModelProto& model) {
  int64_t bytes = 0;
  for (const onnx::TensorProto& tensor : model.graph().initializer()) {
    bytes += static_cast<int64_t>(tensor.raw_data().size()) + tensor.float_data_size() * 4 + tensor.int32_data_size() * 4;
  }
  return bytes;
}

}  // namespace edgeloop
