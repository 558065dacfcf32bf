#include "edgeloop/runtime/onnx_graph_reader.h"

#include <cmath>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr float kHardSigmoidAlpha = 1.0f / 6.0f;   // HardSigmoid(x) = clamp(x/6 + 1/2): x·that is HardSwish
constexpr float kHardSigmoidBeta = 0.5f;
constexpr float kAttributeTolerance = 1e-5f;

}  // namespace

OnnxGraphReader::OnnxGraphReader(const OnnxModel& model, std::string engine_name, std::string fallback)
    : model_(model), engine_name_(std::move(engine_name)), fallback_(std::move(fallback)) {
  for (const OnnxNode& node : model.nodes()) {
    for (const std::string& output : node.outputs) producers_[output] = &node;
  }
}

void OnnxGraphReader::refuse(const std::string& why) const {
  std::string where = current_ ? "node '" + current_->name + "' op " + current_->op_type + ": " : "";
  throw unsupported(model_.file().string() + ": " + where + why + " (the " + engine_name_ +
                    " engine cannot map it; use " + fallback_ + ")");
}

int64_t Window::output_size(int64_t size, int axis) const {
  int64_t kernel = axis == 0 ? kernel_h : kernel_w;
  return (size + pads[size_t(axis)] + pads[size_t(axis) + 2] - dilations[size_t(axis)] * (kernel - 1) - 1) /
             strides[size_t(axis)] +
         1;
}

std::string OnnxGraphReader::take_activation(const Activation& activation, const std::string& output) {
  if (activation.nodes.empty()) return output;
  for (const OnnxNode* node : activation.nodes) skip(node);
  return activation.nodes.back()->outputs[0];
}

std::vector<int64_t> OnnxGraphReader::input_dims(int64_t batch) const {
  const auto& shape = model_.input_shape();
  if (shape.size() != 4 && shape.size() != 2) refuse("the input must be [N, C, H, W] or [N, F]");
  std::vector<int64_t> dims = {batch};
  for (size_t axis = 1; axis < shape.size(); ++axis) {
    if (shape[axis] <= 0) refuse("the input has a dynamic dimension other than the batch");
    dims.push_back(shape[axis]);
  }
  return dims;
}

Window OnnxGraphReader::convolution_window(const OnnxNode& node, int64_t kernel_h, int64_t kernel_w) const {
  if (node.text("auto_pad", "NOTSET") != "NOTSET") refuse("auto_pad is not supported; write explicit pads");
  return Window{kernel_h, kernel_w, node.integers("strides", {1, 1}), node.integers("pads", {0, 0, 0, 0}),
                node.integers("dilations", {1, 1})};
}

Window OnnxGraphReader::pooling_window(const OnnxNode& node) const {
  if (node.integer("ceil_mode", 0) != 0) refuse("ceil_mode 1 is not supported");
  auto kernel = node.integers("kernel_shape", {});
  if (kernel.size() != 2) refuse("kernel_shape must have 2 values");
  return convolution_window(node, kernel[0], kernel[1]);
}

void OnnxGraphReader::check_flatten(const OnnxNode& node, int64_t batch, int64_t features) const {
  if (node.op_type == "Flatten" && node.integer("axis", 1) != 1) refuse("Flatten axis must be 1");
  if (node.op_type != "Reshape") return;
  const OnnxConstant& target = constant(node.inputs[1]);
  bool to_rows = target.element_count() == 2 &&
                 (target.value(0) == 0 || target.value(0) == -1 || int64_t(target.value(0)) == batch) &&
                 (target.value(1) == -1 || int64_t(target.value(1)) == features);
  if (!to_rows) refuse("only Reshape to [N, -1] (a flatten) is supported");
}

const OnnxNode* OnnxGraphReader::producer(const std::string& tensor) const {
  auto found = producers_.find(tensor);
  return found == producers_.end() ? nullptr : found->second;
}

const OnnxConstant& OnnxGraphReader::constant(const std::string& name) const {
  const OnnxConstant* tensor = model_.initializer(name);
  if (!tensor) refuse("input '" + name + "' must be a constant");
  return *tensor;
}

std::optional<Quantization> OnnxGraphReader::quantization_of(const OnnxNode& node) const {
  if (node.inputs.size() < 2) return std::nullopt;
  const OnnxConstant* scale = model_.initializer(node.inputs[1]);
  const OnnxConstant* zero = node.inputs.size() > 2 && !node.inputs[2].empty() ? model_.initializer(node.inputs[2]) : nullptr;
  if (!scale || scale->element_count() != 1) return std::nullopt;
  if (zero && (zero->type != OnnxElementType::kInt8 || zero->element_count() != 1)) return std::nullopt;
  return Quantization{float(scale->value(0)), zero ? int32_t(zero->value(0)) : 0};
}

WeightSource OnnxGraphReader::weight_source(const std::string& name) const {
  WeightSource source;
  if (const OnnxConstant* tensor = model_.initializer(name)) {
    if (tensor->type != OnnxElementType::kFloat) refuse("weight '" + name + "' is not float");
    source.shape = tensor->shape;
    source.fp32 = tensor->floats;
    return source;
  }
  const OnnxNode* node = producer(name);
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

std::vector<float> OnnxGraphReader::bias_values(const OnnxNode& node, size_t index, size_t count) const {
  if (node.inputs.size() <= index || node.inputs[index].empty()) return std::vector<float>(count, 0.0f);
  std::vector<float> bias = weight_source(node.inputs[index]).fp32;
  if (bias.size() == 1 && count > 1) bias.assign(count, bias[0]);
  if (bias.size() != count) refuse("bias has " + std::to_string(bias.size()) + " values, expected " + std::to_string(count));
  return bias;
}

std::optional<std::vector<float>> OnnxGraphReader::channel_scales(const WeightSource& weight, int64_t out_axis,
                                                                  size_t out) const {
  if (weight.scales.size() == 1) return std::vector<float>(out, weight.scales[0]);
  if (weight.axis != out_axis || weight.scales.size() != out) return std::nullopt;
  return weight.scales;
}

Activation OnnxGraphReader::fusable_activation(const std::string& name) const {
  Activation activation;
  auto readers = model_.consumers(name);
  if (model_.is_output(name) || readers.size() != 1) return activation;
  const OnnxNode* reader = readers[0];
  if (reader->op_type == "Relu") {
    activation = {{reader}, 0.0f, kUnboundedActivation};
  } else if (reader->op_type == "Clip") {
    auto bounds = clip_bounds(*reader);
    if (bounds) activation = {{reader}, bounds->first, bounds->second};
  } else if (reader->op_type == "HardSigmoid") {
    auto relu6 = scaled_hardsigmoid(*reader);
    if (relu6) activation = {{reader, relu6->first}, 0.0f, relu6->second};
  }
  return activation;
}

std::optional<std::pair<const OnnxNode*, float>> OnnxGraphReader::scaled_hardsigmoid(const OnnxNode& node) const {
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

const OnnxNode* OnnxGraphReader::hardswish_multiply(const OnnxNode& node) const {
  bool standard = std::fabs(node.real("alpha", 0.2f) - kHardSigmoidAlpha) < kAttributeTolerance &&
                  std::fabs(node.real("beta", 0.5f) - kHardSigmoidBeta) < kAttributeTolerance;
  auto readers = model_.consumers(node.outputs[0]);
  if (!standard || readers.size() != 1 || readers[0]->op_type != "Mul" || model_.is_output(node.outputs[0])) {
    return nullptr;
  }
  const OnnxNode& multiply = *readers[0];
  const std::string& x = node.inputs[0];
  bool pairs = (multiply.inputs[0] == x && multiply.inputs[1] == node.outputs[0]) ||
               (multiply.inputs[1] == x && multiply.inputs[0] == node.outputs[0]);
  return pairs ? &multiply : nullptr;
}

std::optional<std::pair<float, float>> OnnxGraphReader::clip_bounds(const OnnxNode& node) const {
  float low = node.real("min", -kUnboundedActivation), high = node.real("max", kUnboundedActivation);
  for (size_t index = 1; index < node.inputs.size() && index < 3; ++index) {
    if (node.inputs[index].empty()) continue;
    const OnnxConstant* bound = model_.initializer(node.inputs[index]);
    if (!bound) return std::nullopt;
    (index == 1 ? low : high) = float(bound->value(0));
  }
  return std::make_pair(low, high);
}

std::optional<Quantization> OnnxGraphReader::quantized_readers(const std::string& name) const {
  // A graph output that is also read quantized (the embedding, read by the classifier) stays int8
  // too: the engine converts it for the caller, and the readers need no conversion back.
  auto readers = model_.consumers(name);
  if (readers.empty()) return std::nullopt;
  std::optional<Quantization> shared;
  for (const OnnxNode* reader : readers) {
    if (reader->op_type != "QuantizeLinear") return std::nullopt;
    auto quantization = quantization_of(*reader);
    if (!quantization || (shared && !(*shared == *quantization))) return std::nullopt;
    shared = quantization;
  }
  return shared;
}

FullyConnected OnnxGraphReader::fully_connected(const OnnxNode& node, int64_t in) {
  bool matmul = node.op_type == "MatMul";
  if (!matmul && (node.real("alpha", 1.0f) != 1.0f || node.real("beta", 1.0f) != 1.0f || node.integer("transA", 0))) {
    refuse("Gemm with alpha, beta or transA other than 1, 1, 0");
  }
  FullyConnected layer;
  layer.weight = weight_source(node.inputs[1]);
  const auto& shape = layer.weight.shape;
  if (shape.size() != 2) refuse("the weight must be 2D");
  layer.out_first = !matmul && node.integer("transB", 0) != 0;
  layer.out = layer.out_first ? shape[0] : shape[1];
  if ((layer.out_first ? shape[1] : shape[0]) != in) refuse("weight does not match the input width");
  layer.produced = node.outputs[0];
  layer.bias.assign(size_t(layer.out), 0.0f);
  if (!matmul) {
    layer.bias = bias_values(node, 2, size_t(layer.out));
    return layer;
  }
  auto readers = model_.consumers(layer.produced);
  if (model_.is_output(layer.produced) || readers.size() != 1 || readers[0]->op_type != "Add") return layer;
  const OnnxNode& add_node = *readers[0];
  const std::string& other = add_node.inputs[0] == layer.produced ? add_node.inputs[1] : add_node.inputs[0];
  const OnnxConstant* constant_bias = model_.initializer(other);
  if (!constant_bias || constant_bias->element_count() != layer.out) return layer;
  layer.bias = weight_source(other).fp32;
  skip(&add_node);
  layer.produced = add_node.outputs[0];
  return layer;
}

}  // namespace edgeloop
