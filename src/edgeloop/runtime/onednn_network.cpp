#include "edgeloop/runtime/onednn_network.h"

#include <cmath>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/onednn_network_builder.h"

namespace edgeloop::onednn_build {

using tag = dnnl::memory::format_tag;
using data_type = dnnl::memory::data_type;

namespace {

tag plain_tag(size_t rank) { return rank == 4 ? tag::nchw : tag::nc; }

// `desc` with another element type, same layout.
dnnl::memory::desc with_type(const dnnl::memory::desc& desc, data_type type) {
  dnnl_memory_desc_t copy = desc.data;
  copy.data_type = dnnl::memory::convert_to_c(type);
  return dnnl::memory::desc(copy);
}

}  // namespace

OnednnNetwork OnednnBuilder::build() {
  define_input();
  for (const OnnxNode& node : model_.nodes()) {
    if (reader_.skipped(&node)) continue;
    reader_.set_current(&node);
    map_node(node);
  }
  reader_.set_current(nullptr);
  network_.probabilities = finish_output(layout_.probabilities, network_.probabilities_size);
  if (!layout_.embedding.empty()) network_.embedding = finish_output(layout_.embedding, network_.embedding_size);
  return std::move(network_);
}

Tensor& OnednnBuilder::value(const std::string& name) {
  auto found = values_.find(name);
  if (found == values_.end()) {
    if (model_.initializer(name)) reader_.refuse("a constant '" + name + "' where an activation was expected");
    reader_.refuse("input '" + name + "' is not produced by any node before it");
  }
  return found->second;
}

dnnl::memory OnednnBuilder::zero_point_memory(int32_t zero_point) {
  dnnl::memory memory({{1}, data_type::s32, tag::x}, engine_);
  *static_cast<int32_t*>(memory.get_data_handle()) = zero_point;
  return memory;
}

void OnednnBuilder::add_step(dnnl::primitive primitive, std::unordered_map<int, dnnl::memory> arguments,
                             const std::string& what, const char* kernel) {
  network_.steps.push_back({std::move(primitive), std::move(arguments), what, kernel ? kernel : ""});
}

dnnl::memory OnednnBuilder::reorder(const dnnl::memory& source, const dnnl::memory::desc& desc, float scale,
                                    int32_t source_zero, int32_t target_zero, const std::string& what) {
  dnnl::primitive_attr attr;
  if (scale != 1.0f) attr.set_output_scales(0, {scale});
  if (source_zero) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
  if (target_zero) attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
  dnnl::reorder::primitive_desc descriptor(engine_, source.get_desc(), engine_, desc, attr);
  dnnl::memory target = new_memory(desc);
  std::unordered_map<int, dnnl::memory> arguments = {{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, target}};
  if (source_zero) arguments[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = zero_point_memory(source_zero);
  if (target_zero) arguments[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = zero_point_memory(target_zero);
  add_step(dnnl::reorder(descriptor), std::move(arguments), what, descriptor.impl_info_str());
  return target;
}

dnnl::memory OnednnBuilder::in_layout(const dnnl::memory& memory, const dnnl::memory::desc& desc) {
  if (memory.get_desc() == desc) return memory;
  return reorder(memory, desc);
}

dnnl::memory OnednnBuilder::fp32_of(const std::string& name) {
  Tensor& tensor = value(name);
  if (!tensor.fp32) {
    tensor.fp32 = reorder(tensor.quantized, with_type(tensor.quantized.get_desc(), data_type::f32),
                          tensor.quantization.scale, tensor.quantization.zero_point, 0, name + " dequantize");
    ++network_.conversions;
  }
  return tensor.fp32;
}

dnnl::memory OnednnBuilder::quantized_of(const std::string& name, const Quantization& quantization) {
  Tensor& tensor = value(name);
  if (tensor.quantized && tensor.quantization == quantization) return tensor.quantized;
  dnnl::memory result;
  if (tensor.quantized) {   // u8 to u8 at another scale
    result = reorder(tensor.quantized, tensor.quantized.get_desc(), tensor.quantization.scale / quantization.scale,
                     tensor.quantization.zero_point, quantization.zero_point, name + " requantize");
  } else {
    result = reorder(tensor.fp32, with_type(tensor.fp32.get_desc(), data_type::u8), 1.0f / quantization.scale, 0,
                     quantization.zero_point, name + " quantize");
    ++network_.conversions;
  }
  if (!tensor.quantized) {
    tensor.quantized = result;
    tensor.quantization = quantization;
  }
  return result;
}

dnnl::post_ops OnednnBuilder::activation_post_ops(const Activation& activation, float unit) {
  dnnl::post_ops operations;
  if (activation.nodes.empty()) return operations;
  if (activation.low == 0.0f && std::isinf(activation.high)) {
    operations.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  } else {
    operations.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, activation.low / unit, activation.high / unit);
  }
  return operations;
}

// ---- simple nodes ---------------------------------------------------------------------------------

void OnednnBuilder::map_node(const OnnxNode& node) {
  const std::string& op = node.op_type;
  try {
    if (op == "Conv") return convolution(node);
    if (op == "Gemm" || op == "MatMul") return inner_product(node);
    if (op == "Relu") return eltwise(node.inputs[0], node.outputs[0], dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    if (op == "Clip") {
      auto bounds = reader_.clip_bounds(node);
      if (!bounds) reader_.refuse("Clip bounds must be constants");
      return eltwise(node.inputs[0], node.outputs[0], dnnl::algorithm::eltwise_clip, bounds->first, bounds->second);
    }
    if (op == "HardSwish") return eltwise(node.inputs[0], node.outputs[0], dnnl::algorithm::eltwise_hardswish, 0, 0);
    if (op == "HardSigmoid") return hardsigmoid(node);
    if (op == "MaxPool" || op == "AveragePool") return pooling(node);
    if (op == "GlobalAveragePool") return global_average_pooling(node);
    if (op == "Flatten" || op == "Reshape") return flatten(node);
    if (op == "Add") return add(node);
    if (op == "Softmax") return softmax(node);
    if (op == "Identity" || op == "Dropout") return alias(node.inputs[0], node.outputs[0]);
    if (op == "BatchNormalization") return batch_normalization(node);
    if (op == "Pad") return pad(node);
    if (op == "QuantizeLinear") return quantize(node);
    if (op == "DequantizeLinear") return dequantize(node);
  } catch (const dnnl::error& error) {
    reader_.refuse(std::string("oneDNN refused it: ") + error.what());
  }
  reader_.refuse("this op is not supported");
}

void OnednnBuilder::define_input() {
  Tensor input;
  input.dims = reader_.input_dims(batch_);
  input.is_input = true;
  // Engine::infer gives [N, H, W, C]: NCHW dims in NHWC order.
  input.fp32 = new_memory({to_dims(input.dims), data_type::f32, input.dims.size() == 4 ? tag::nhwc : tag::nc});
  network_.input = input.fp32;
  network_.input_size = 1;
  for (size_t axis = 1; axis < input.dims.size(); ++axis) network_.input_size *= size_t(input.dims[axis]);
  store(model_.input_name(), input);
}

dnnl::memory OnednnBuilder::finish_output(const std::string& name, size_t& size) {
  Tensor& tensor = value(name);
  size = 1;
  for (size_t axis = 1; axis < tensor.dims.size(); ++axis) size *= size_t(tensor.dims[axis]);
  dnnl::memory::desc plain(to_dims(tensor.dims), data_type::f32, plain_tag(tensor.dims.size()));
  if (tensor.fp32) return in_layout(tensor.fp32, plain);
  ++network_.conversions;
  return reorder(tensor.quantized, plain, tensor.quantization.scale, tensor.quantization.zero_point, 0,
                 name + " dequantize");
}

void OnednnBuilder::alias(const std::string& input, const std::string& output) { store(output, value(input)); }

void OnednnBuilder::eltwise(const std::string& input, const std::string& output, dnnl::algorithm algorithm,
                            float alpha, float beta) {
  dnnl::memory source = fp32_of(input);
  dnnl::eltwise_forward::primitive_desc descriptor(
      {dnnl::prop_kind::forward_inference, algorithm, source.get_desc(), alpha, beta}, engine_);
  Tensor result;
  result.dims = value(input).dims;
  result.fp32 = new_memory(descriptor.dst_desc());
  add_step(dnnl::eltwise_forward(descriptor), {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, result.fp32}},
           output + " eltwise", descriptor.impl_info_str());
  count(false);
  store(output, result);
}

void OnednnBuilder::hardsigmoid(const OnnxNode& node) {
  if (auto relu6 = reader_.scaled_hardsigmoid(node)) {
    reader_.skip(relu6->first);
    return eltwise(node.inputs[0], relu6->first->outputs[0], dnnl::algorithm::eltwise_clip, 0.0f, relu6->second);
  }
  if (const OnnxNode* multiply = reader_.hardswish_multiply(node)) {
    reader_.skip(multiply);
    return eltwise(node.inputs[0], multiply->outputs[0], dnnl::algorithm::eltwise_hardswish, 0.0f, 0.0f);
  }
  reader_.refuse("HardSigmoid is supported only as x * HardSigmoid(x; 1/6, 1/2) (HardSwish) or k * HardSigmoid(x; 1/k, 0) "
                 "(Relu6)");
}

void OnednnBuilder::flatten(const OnnxNode& node) {
  Tensor& input = value(node.inputs[0]);
  int64_t features = 1;
  for (size_t axis = 1; axis < input.dims.size(); ++axis) features *= input.dims[axis];
  reader_.check_flatten(node, batch_, features);
  Tensor output;
  output.dims = {batch_, features};
  output.quantization = input.quantization;
  dnnl::memory::desc rows({batch_, features}, data_type::f32, tag::nc);
  // ONNX flattens channels first: the data goes to plain NCHW, which is [N, C·H·W] row by row.
  auto flat = [&](const dnnl::memory& source) {
    dnnl::memory::desc plain = with_type(
        dnnl::memory::desc(to_dims(input.dims), data_type::f32, plain_tag(input.dims.size())),
        source.get_desc().data_type());
    dnnl::memory ordered = input.is_input ? reorder(source, plain) : in_layout(source, plain);
    return dnnl::memory(with_type(rows, source.get_desc().data_type()), engine_, ordered.get_data_handle());
  };
  if (input.quantized) {
    output.quantized = flat(input.quantized);
  } else {
    output.fp32 = flat(input.fp32);
  }
  store(node.outputs[0], output);
}

void OnednnBuilder::softmax(const OnnxNode& node) {
  Tensor& input = value(node.inputs[0]);
  int64_t axis = node.integer("axis", -1);
  if (input.dims.size() != 2 || (axis != 1 && axis != -1)) reader_.refuse("Softmax only over the last axis of [N, F]");
  dnnl::memory source = fp32_of(node.inputs[0]);
  dnnl::softmax_forward::primitive_desc descriptor({dnnl::prop_kind::forward_inference, source.get_desc(), 1}, engine_);
  Tensor output;
  output.dims = input.dims;
  output.fp32 = new_memory(descriptor.dst_desc());
  add_step(dnnl::softmax_forward(descriptor), {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, output.fp32}},
           node.outputs[0] + " softmax", descriptor.impl_info_str());
  store(node.outputs[0], output);
}

void OnednnBuilder::quantize(const OnnxNode& node) {
  auto quantization = reader_.quantization_of(node);
  if (!quantization) reader_.refuse("QuantizeLinear must be per tensor with a constant scale and int8 zero point");
  Quantization shifted{quantization->scale, quantization->zero_point + kUint8Shift};
  Tensor output;
  output.dims = value(node.inputs[0]).dims;
  output.quantized = quantized_of(node.inputs[0], shifted);
  output.quantization = shifted;
  store(node.outputs[0], output);
}

void OnednnBuilder::dequantize(const OnnxNode& node) {
  if (model_.initializer(node.inputs[0])) return;   // a weight: read by weight_source()
  auto quantization = reader_.quantization_of(node);
  Tensor& input = value(node.inputs[0]);
  if (!quantization || !input.quantized ||
      !(Quantization{quantization->scale, quantization->zero_point + kUint8Shift} == input.quantization)) {
    reader_.refuse("DequantizeLinear must read a QuantizeLinear output with the same scale and zero point");
  }
  Tensor output = input;
  output.fp32 = dnnl::memory();
  store(node.outputs[0], output);
}

}  // namespace edgeloop::onednn_build

namespace edgeloop {

const dnnl::memory* OnednnWeights::find(const std::string& key) const {
  auto found = memories_.find(key);
  return found == memories_.end() ? nullptr : &found->second;
}

const dnnl::memory& OnednnWeights::keep(const std::string& key, dnnl::memory memory) {
  return memories_[key] = std::move(memory);
}

OnednnNetwork build_onednn_network(const OnnxModel& model, int batch, const dnnl::engine& engine,
                                   OnednnWeights& weights) {
  return onednn_build::OnednnBuilder(model, batch, engine, weights).build();
}

}  // namespace edgeloop
