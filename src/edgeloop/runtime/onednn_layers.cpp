// The heavy layers of the ONNX → oneDNN mapping: convolution (dense, grouped, depthwise), inner
// product (Gemm, MatMul), pooling and add, each in fp32 or int8 (see onednn_network_builder.h).
// int8: u8 activations, s8 weights with per-channel output scales (input scale · weight scale /
// output scale), float biases in accumulator units, zero points as oneDNN attributes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/onednn_network_builder.h"

namespace edgeloop::onednn_build {

using tag = dnnl::memory::format_tag;
using data_type = dnnl::memory::data_type;

namespace {

constexpr int kPerOutputChannel = 1 << 1;
constexpr float kLargestFloat = std::numeric_limits<float>::max();   // scale mask: one scale per dimension 1 (output channels)

}  // namespace

dnnl::memory OnednnBuilder::float_memory(const dnnl::memory::dims& dims, tag layout, const std::vector<float>& values) {
  dnnl::memory memory = new_memory({dims, data_type::f32, layout});
  std::memcpy(memory.get_data_handle(), values.data(), values.size() * sizeof(float));
  return memory;
}

dnnl::memory OnednnBuilder::weight_memory(const std::string& key, const dnnl::memory& user,
                                          const dnnl::memory::desc& desc) {
  // The layout oneDNN picks may differ between batch sizes: one reordered copy per layout.
  std::string layout_key = key;
  for (int attempt = 0; const dnnl::memory* found = weights_.find(layout_key); ++attempt) {
    if (found->get_desc() == desc) return *found;
    layout_key = key + "#" + std::to_string(attempt);
  }
  dnnl::memory packed = new_memory(desc);
  dnnl::stream stream(engine_);
  dnnl::reorder(user, packed).execute(stream, const_cast<dnnl::memory&>(user), packed);
  stream.wait();
  return weights_.keep(layout_key, packed);
}

Tensor OnednnBuilder::layer_output(const std::vector<int64_t>& dims, const dnnl::memory::desc& desc, bool int8,
                                   const Quantization& quantization) {
  Tensor output;
  output.dims = dims;
  if (int8) {
    output.quantized = new_memory(desc);
    output.quantization = quantization;
  } else {
    output.fp32 = new_memory(desc);
  }
  return output;
}

void OnednnBuilder::set_int8_attributes(const Quantization& input, const std::vector<float>& weight_scales,
                                        const Quantization& output, std::vector<float>& bias,
                                        dnnl::primitive_attr& attributes,
                                        std::unordered_map<int, dnnl::memory>& arguments) {
  std::vector<float> output_scales(weight_scales.size());
  for (size_t channel = 0; channel < output_scales.size(); ++channel) {
    float accumulator_scale = input.scale * weight_scales[channel];
    output_scales[channel] = accumulator_scale / output.scale;
    bias[channel] /= accumulator_scale;   // oneDNN 2.x adds the bias before the output scale
  }
  attributes.set_output_scales(kPerOutputChannel, output_scales);
  if (input.zero_point) {
    attributes.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
    arguments[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = zero_point_memory(input.zero_point);
  }
  if (output.zero_point) {
    attributes.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
    arguments[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = zero_point_memory(output.zero_point);
  }
}

bool int8_products_saturate() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx2_vnni:
    case dnnl::cpu_isa::avx512_core_vnni:
    case dnnl::cpu_isa::avx512_core_bf16:
    case dnnl::cpu_isa::avx512_core_amx:
      return false;
    default:
      return true;
  }
}

void OnednnBuilder::fit_int8_weights(WeightSource& weight, std::vector<float>& scales) const {
  if (!int8_products_saturate_) return;
  // oneDNN's guide ("Nuances of int8 computations") advises 7-bit weights there: halved values
  // with a doubled scale keep every pair within 255 × 64 × 2 = 32640, for one bit of precision.
  for (int8_t& value : weight.int8s) value = static_cast<int8_t>(std::lround(value / 2.0));
  for (float& scale : scales) scale *= 2.0f;
}

void OnednnBuilder::convolution(const OnnxNode& node) {
  const std::string& input_name = node.inputs[0];
  Tensor& input = value(input_name);
  if (input.dims.size() != 4) reader_.refuse("convolution input must be 4D");
  WeightSource weight = reader_.weight_source(node.inputs[1]);
  if (weight.shape.size() != 4) reader_.refuse("only 2D convolutions are supported");
  int64_t out_channels = weight.shape[0], group_in = weight.shape[1];
  int64_t kernel_h = weight.shape[2], kernel_w = weight.shape[3];
  int64_t groups = node.integer("group", 1);
  if (group_in * groups != input.dims[1]) reader_.refuse("weight input channels do not match the input");
  Window window = reader_.convolution_window(node, kernel_h, kernel_w);
  const auto &strides = window.strides, &pads = window.pads, &dilations = window.dilations;
  std::vector<int64_t> output_dims = {batch_, out_channels, window.output_size(input.dims[2], 0),
                                      window.output_size(input.dims[3], 1)};
  std::vector<float> bias = reader_.bias_values(node, 2, size_t(out_channels));

  Activation activation = reader_.fusable_activation(node.outputs[0]);
  std::string output_name = reader_.take_activation(activation, node.outputs[0]);
  auto output_quantization = reader_.quantized_readers(output_name);
  auto scales = reader_.channel_scales(weight, 0, size_t(out_channels));
  bool int8 = weight.quantized && input.quantized && output_quantization && scales;
  if (int8) fit_int8_weights(weight, *scales);
  Quantization output_scale;
  if (int8) output_scale = {output_quantization->scale, output_quantization->zero_point + kUint8Shift};

  dnnl::memory::dims weight_dims = groups > 1 ? dnnl::memory::dims{groups, out_channels / groups, group_in, kernel_h, kernel_w}
                                              : dnnl::memory::dims{out_channels, group_in, kernel_h, kernel_w};
  data_type activation_type = int8 ? data_type::u8 : data_type::f32;
  dnnl::convolution_forward::desc description(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
      {to_dims(input.dims), activation_type, tag::any}, {weight_dims, int8 ? data_type::s8 : data_type::f32, tag::any},
      {{out_channels}, data_type::f32, tag::x}, {to_dims(output_dims), activation_type, tag::any},
      {strides[0], strides[1]}, {dilations[0] - 1, dilations[1] - 1}, {pads[0], pads[1]}, {pads[2], pads[3]});
  dnnl::primitive_attr attributes;
  std::unordered_map<int, dnnl::memory> arguments;
  if (int8) set_int8_attributes(input.quantization, *scales, output_scale, bias, attributes, arguments);
  attributes.set_post_ops(activation_post_ops(activation, int8 ? output_scale.scale : 1.0f));
  dnnl::convolution_forward::primitive_desc descriptor(description, attributes, engine_);

  dnnl::memory source = int8 ? input.quantized : fp32_of(input_name);
  arguments[DNNL_ARG_SRC] = in_layout(source, descriptor.src_desc());
  tag weight_tag = groups > 1 ? tag::goihw : tag::oihw;
  dnnl::memory user = int8 ? dnnl::memory({weight_dims, data_type::s8, weight_tag}, engine_, weight.int8s.data())
                           : dnnl::memory({weight_dims, data_type::f32, weight_tag}, engine_, weight.fp32.data());
  arguments[DNNL_ARG_WEIGHTS] = weight_memory(node.outputs[0] + (int8 ? "/int8" : "/fp32"), user, descriptor.weights_desc());
  arguments[DNNL_ARG_BIAS] = float_memory({out_channels}, tag::x, bias);
  Tensor output = layer_output(output_dims, descriptor.dst_desc(), int8, output_scale);
  arguments[DNNL_ARG_DST] = int8 ? output.quantized : output.fp32;
  add_step(dnnl::convolution_forward(descriptor), std::move(arguments), node.name + " Conv " + (int8 ? "int8" : "fp32"),
           descriptor.impl_info_str());
  count(int8);
  store(output_name, output);
}

void OnednnBuilder::inner_product(const OnnxNode& node) {
  const std::string& input_name = node.inputs[0];
  Tensor& input = value(input_name);
  if (input.dims.size() != 2) reader_.refuse("fully connected input must be 2D (Flatten first)");
  int64_t in = input.dims[1];
  FullyConnected layer = reader_.fully_connected(node, in);
  WeightSource& weight = layer.weight;
  bool out_first = layer.out_first;
  int64_t out = layer.out;
  std::vector<float>& bias = layer.bias;
  const std::string& produced = layer.produced;
  Activation activation = reader_.fusable_activation(produced);
  std::string output_name = reader_.take_activation(activation, produced);
  auto output_quantization = reader_.quantized_readers(output_name);
  auto scales = reader_.channel_scales(weight, out_first ? 0 : 1, size_t(out));
  // int8 reads u8 and s8; it writes u8 when its output is read quantized, else float in real
  // units (output scale 1, zero point 0): the classifier, whose logits the quantizer keeps float.
  bool int8 = weight.quantized && input.quantized && scales;
  if (int8) fit_int8_weights(weight, *scales);
  bool int8_output = int8 && output_quantization;
  Quantization output_scale;
  if (int8_output) output_scale = {output_quantization->scale, output_quantization->zero_point + kUint8Shift};

  dnnl::inner_product_forward::desc description(
      dnnl::prop_kind::forward_inference, {{batch_, in}, int8 ? data_type::u8 : data_type::f32, tag::any},
      {{out, in}, int8 ? data_type::s8 : data_type::f32, tag::any}, {{out}, data_type::f32, tag::x},
      {{batch_, out}, int8_output ? data_type::u8 : data_type::f32, tag::any});
  dnnl::primitive_attr attributes;
  std::unordered_map<int, dnnl::memory> arguments;
  dnnl::post_ops operations = activation_post_ops(activation, output_scale.scale);
  if (int8) {
    // oneDNN 2.6's int8 inner product has no zero points: with no padding they fold exactly into
    // the bias (Σ w·(q - z) = Σ w·q - z·Σ w) and a final +z_out.
    Quantization input_scale = input.quantization, plain_output = output_scale;
    input_scale.zero_point = 0;
    plain_output.zero_point = 0;
    for (int64_t row = 0; row < out; ++row) {
      int64_t sum = 0;
      for (int64_t column = 0; column < in; ++column) {
        sum += weight.int8s[size_t(out_first ? row * in + column : column * out + row)];
      }
      bias[size_t(row)] -= float(input.quantization.zero_point) * float(sum) *
                           (input.quantization.scale * (*scales)[size_t(row)]);
    }
    set_int8_attributes(input_scale, *scales, plain_output, bias, attributes, arguments);
    if (output_scale.zero_point) {
      operations.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f, float(output_scale.zero_point));
    }
  }
  attributes.set_post_ops(operations);
  dnnl::inner_product_forward::primitive_desc descriptor(description, attributes, engine_);

  dnnl::memory source = int8 ? input.quantized : fp32_of(input_name);
  arguments[DNNL_ARG_SRC] = in_layout(source, descriptor.src_desc());
  tag weight_tag = out_first ? tag::oi : tag::io;
  dnnl::memory user = int8 ? dnnl::memory({{out, in}, data_type::s8, weight_tag}, engine_, weight.int8s.data())
                           : dnnl::memory({{out, in}, data_type::f32, weight_tag}, engine_, weight.fp32.data());
  arguments[DNNL_ARG_WEIGHTS] = weight_memory(node.outputs[0] + (int8 ? "/int8" : "/fp32"), user, descriptor.weights_desc());
  arguments[DNNL_ARG_BIAS] = float_memory({out}, tag::x, bias);
  Tensor output = layer_output({batch_, out}, descriptor.dst_desc(), int8_output, output_scale);
  arguments[DNNL_ARG_DST] = int8_output ? output.quantized : output.fp32;
  add_step(dnnl::inner_product_forward(descriptor), std::move(arguments),
           node.name + " " + node.op_type + " " + (int8_output ? "int8" : int8 ? "int8 to fp32" : "fp32"),
           descriptor.impl_info_str());
  count(int8);
  store(output_name, output);
}

void OnednnBuilder::pooling(const OnnxNode& node) {
  const std::string& input_name = node.inputs[0];
  Tensor& input = value(input_name);
  if (input.dims.size() != 4) reader_.refuse("pooling input must be 4D");
  Window window = reader_.pooling_window(node);
  const auto &strides = window.strides, &pads = window.pads;
  std::vector<int64_t> kernel = {window.kernel_h, window.kernel_w};
  if (window.dilations[0] != 1 || window.dilations[1] != 1) reader_.refuse("dilated pooling");
  std::vector<int64_t> output_dims = {batch_, input.dims[1], window.output_size(input.dims[2], 0),
                                      window.output_size(input.dims[3], 1)};
  if (node.op_type == "AveragePool") {
    return average_pooling(node, {kernel[0], kernel[1]}, {strides[0], strides[1]}, {pads[0], pads[1]},
                           {pads[2], pads[3]}, output_dims, node.integer("count_include_pad", 0) != 0);
  }
  bool int8 = bool(input.quantized);   // max pooling keeps the input's int8 scale
  dnnl::memory source = int8 ? in_layout(input.quantized, {to_dims(input.dims), data_type::u8, tag::nhwc})
                             : fp32_of(input_name);
  dnnl::memory::desc target(to_dims(output_dims), int8 ? data_type::u8 : data_type::f32, int8 ? tag::nhwc : tag::any);
  dnnl::pooling_forward::primitive_desc descriptor(
      {dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, source.get_desc(), target,
       {strides[0], strides[1]}, {kernel[0], kernel[1]}, {pads[0], pads[1]}, {pads[2], pads[3]}},
      engine_);
  Tensor output = layer_output(output_dims, descriptor.dst_desc(), int8, input.quantization);
  dnnl::memory destination = int8 ? output.quantized : output.fp32;
  add_step(dnnl::pooling_forward(descriptor), {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, destination}},
           node.name + " MaxPool " + (int8 ? "int8" : "fp32"), descriptor.impl_info_str());
  count(int8);
  store(node.outputs[0], output);
}

void OnednnBuilder::global_average_pooling(const OnnxNode& node) {
  Tensor& input = value(node.inputs[0]);
  if (input.dims.size() != 4) reader_.refuse("input must be 4D");
  average_pooling(node, {input.dims[2], input.dims[3]}, {1, 1}, {0, 0}, {0, 0}, {batch_, input.dims[1], 1, 1},
                  /*count_padding=*/false);
}

void OnednnBuilder::average_pooling(const OnnxNode& node, const dnnl::memory::dims& kernel,
                                    const dnnl::memory::dims& strides, const dnnl::memory::dims& pad_begin,
                                    const dnnl::memory::dims& pad_end, const std::vector<int64_t>& output_dims,
                                    bool count_padding) {
  const std::string& input_name = node.inputs[0];
  Tensor& input = value(input_name);
  auto output_quantization = reader_.quantized_readers(node.outputs[0]);
  // Padding counted as zero is q = zero point in u8: exact only when that is 0.
  bool int8 = input.quantized && output_quantization && !(count_padding && input.quantization.zero_point);
  dnnl::primitive_attr attributes;
  Quantization output_scale;
  dnnl::memory source;
  if (int8) {
    output_scale = {output_quantization->scale, output_quantization->zero_point + kUint8Shift};
    // q_out = (s_in / s_out) · (mean(q_in) - z_in) + z_out
    float ratio = input.quantization.scale / output_scale.scale;
    dnnl::post_ops operations;
    operations.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, ratio,
                              float(output_scale.zero_point) - ratio * float(input.quantization.zero_point));
    attributes.set_post_ops(operations);
    source = in_layout(input.quantized, {to_dims(input.dims), data_type::u8, tag::nhwc});
  } else {
    source = fp32_of(input_name);
  }
  dnnl::memory::desc target(to_dims(output_dims), int8 ? data_type::u8 : data_type::f32, int8 ? tag::nhwc : tag::any);
  dnnl::pooling_forward::primitive_desc descriptor(
      {dnnl::prop_kind::forward_inference,
       count_padding ? dnnl::algorithm::pooling_avg_include_padding : dnnl::algorithm::pooling_avg_exclude_padding,
       source.get_desc(), target, strides, kernel, pad_begin, pad_end},
      attributes, engine_);
  Tensor output = layer_output(output_dims, descriptor.dst_desc(), int8, output_scale);
  dnnl::memory destination = int8 ? output.quantized : output.fp32;
  add_step(dnnl::pooling_forward(descriptor), {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, destination}},
           node.name + " " + node.op_type + " " + (int8 ? "int8" : "fp32"), descriptor.impl_info_str());
  count(int8);
  store(node.outputs[0], output);
}

void OnednnBuilder::add(const OnnxNode& node) {
  const OnnxConstant* left_constant = model_.initializer(node.inputs[0]);
  const OnnxConstant* right_constant = model_.initializer(node.inputs[1]);
  if (left_constant && right_constant) reader_.refuse("adding two constants");
  if (left_constant || right_constant) {
    return add_constant(node, left_constant ? node.inputs[1] : node.inputs[0],
                        left_constant ? node.inputs[0] : node.inputs[1]);
  }
  Tensor& left = value(node.inputs[0]);
  Tensor& right = value(node.inputs[1]);
  if (left.dims != right.dims) reader_.refuse("Add of tensors with different shapes");
  Activation activation = reader_.fusable_activation(node.outputs[0]);
  std::string output_name = reader_.take_activation(activation, node.outputs[0]);
  auto output_quantization = reader_.quantized_readers(output_name);
  bool int8 = left.quantized && right.quantized && output_quantization;
  dnnl::primitive_attr attributes;
  Tensor output;
  output.dims = left.dims;
  dnnl::memory first, second;
  if (int8) {
    output.quantization = {output_quantization->scale, output_quantization->zero_point + kUint8Shift};
    // q_out = (s_a·(q_a - z_a) + s_b·(q_b - z_b)) / s_out + z_out, the activation on the real value.
    float scale = output.quantization.scale;
    attributes.set_scales(DNNL_ARG_SRC_0, 0, {left.quantization.scale / scale});
    attributes.set_scales(DNNL_ARG_SRC_1, 0, {right.quantization.scale / scale});
    float offset = -(left.quantization.scale * float(left.quantization.zero_point) +
                     right.quantization.scale * float(right.quantization.zero_point)) / scale;
    // One eltwise_linear at the end: oneDNN 2.6's jit binary applies a second one with the first's
    // parameters. clamp(x + offset, low, high) = clamp(x, low - offset, high - offset) + offset.
    dnnl::post_ops operations;
    if (!activation.nodes.empty()) {
      auto bounded = [](float value) { return std::clamp(value, -kLargestFloat, kLargestFloat); };
      operations.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, bounded(activation.low / scale - offset),
                                bounded(activation.high / scale - offset));
    }
    operations.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f,
                              offset + float(output.quantization.zero_point));
    attributes.set_post_ops(operations);
    first = left.quantized;
    second = in_layout(right.quantized, first.get_desc());
  } else {
    attributes.set_post_ops(activation_post_ops(activation, 1.0f));
    first = fp32_of(node.inputs[0]);
    second = in_layout(fp32_of(node.inputs[1]), first.get_desc());
  }
  dnnl::binary::primitive_desc descriptor({dnnl::algorithm::binary_add, first.get_desc(), second.get_desc(),
                                           first.get_desc()},
                                          attributes, engine_);
  dnnl::memory destination = new_memory(descriptor.dst_desc());
  (int8 ? output.quantized : output.fp32) = destination;
  add_step(dnnl::binary(descriptor), {{DNNL_ARG_SRC_0, first}, {DNNL_ARG_SRC_1, second}, {DNNL_ARG_DST, destination}},
           node.name + " Add " + (int8 ? "int8" : "fp32"), descriptor.impl_info_str());
  count(int8);
  store(output_name, output);
}

void OnednnBuilder::add_constant(const OnnxNode& node, const std::string& input_name, const std::string& constant_name) {
  Tensor& input = value(input_name);
  std::vector<float> values = reader_.weight_source(constant_name).fp32;
  int64_t channels = input.dims[1];
  if (int64_t(values.size()) != channels) reader_.refuse("Add of a constant that is not per channel");
  dnnl::memory first = fp32_of(input_name);
  dnnl::memory second = input.dims.size() == 4 ? float_memory({1, channels, 1, 1}, tag::nchw, values)
                                               : float_memory({1, channels}, tag::nc, values);
  dnnl::binary::primitive_desc descriptor(
      {dnnl::algorithm::binary_add, first.get_desc(), second.get_desc(), first.get_desc()}, engine_);
  Tensor output;
  output.dims = input.dims;
  output.fp32 = new_memory(descriptor.dst_desc());
  add_step(dnnl::binary(descriptor), {{DNNL_ARG_SRC_0, first}, {DNNL_ARG_SRC_1, second}, {DNNL_ARG_DST, output.fp32}},
           node.name + " Add fp32", descriptor.impl_info_str());
  count(false);
  store(node.outputs[0], output);
}

}  // namespace edgeloop::onednn_build

namespace edgeloop::onednn_build {

void OnednnBuilder::batch_normalization(const OnnxNode& node) {
  Tensor& input = value(node.inputs[0]);
  int64_t channels = input.dims[1];
  std::vector<float> scale = reader_.weight_source(node.inputs[1]).fp32, shift = reader_.weight_source(node.inputs[2]).fp32;
  std::vector<float> mean = reader_.weight_source(node.inputs[3]).fp32;
  std::vector<float> variance = reader_.weight_source(node.inputs[4]).fp32;
  for (const auto* values : {&scale, &shift, &mean, &variance}) {
    if (int64_t(values->size()) != channels) reader_.refuse("BatchNormalization parameters do not match the channels");
  }
  std::vector<float> scale_shift = scale;
  scale_shift.insert(scale_shift.end(), shift.begin(), shift.end());
  dnnl::memory source = fp32_of(node.inputs[0]);
  dnnl::batch_normalization_forward::primitive_desc descriptor(
      {dnnl::prop_kind::forward_inference, source.get_desc(), node.real("epsilon", 1e-5f),
       dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale_shift},
      engine_);
  Tensor output;
  output.dims = input.dims;
  output.fp32 = new_memory(descriptor.dst_desc());
  add_step(dnnl::batch_normalization_forward(descriptor),
           {{DNNL_ARG_SRC, source},
            {DNNL_ARG_MEAN, float_memory({channels}, tag::x, mean)},
            {DNNL_ARG_VARIANCE, float_memory({channels}, tag::x, variance)},
            {DNNL_ARG_SCALE_SHIFT, float_memory({2, channels}, tag::nc, scale_shift)},
            {DNNL_ARG_DST, output.fp32}},
           node.name + " BatchNormalization fp32", descriptor.impl_info_str());
  count(false);
  store(node.outputs[0], output);
}

void OnednnBuilder::pad(const OnnxNode& node) {
  if (node.text("mode", "constant") != "constant") reader_.refuse("only constant padding");
  const OnnxConstant& pads = reader_.constant(node.inputs[1]);
  for (int64_t index = 0; index < pads.element_count(); ++index) {
    if (pads.value(index) != 0) reader_.refuse("only a Pad that pads nothing (PyTorch writes one before AveragePool)");
  }
  alias(node.inputs[0], node.outputs[0]);
}

}  // namespace edgeloop::onednn_build
