// The heavy layers of the ONNX → XNNPACK mapping: convolution (dense, grouped, depthwise),
// fully connected (Gemm, MatMul), pooling and add, each in fp32 or int8 (see xnnpack_subgraph_builder.h).
#include "edgeloop/core/error.h"
#include "edgeloop/runtime/xnnpack_subgraph_builder.h"

namespace edgeloop::xnnpack_build {

void SubgraphBuilder::convolution(const OnnxNode& node) {
  const std::string& input_name = node.inputs[0];
  Value& input = value(input_name);
  if (input.onnx_dims.size() != 4) reader_.refuse("convolution input must be 4D");
  WeightSource weight = reader_.weight_source(node.inputs[1]);
  if (weight.shape.size() != 4) reader_.refuse("only 2D convolutions are supported");
  size_t out_channels = size_t(weight.shape[0]), group_in = size_t(weight.shape[1]);
  size_t kernel_h = size_t(weight.shape[2]), kernel_w = size_t(weight.shape[3]);
  size_t groups = size_t(node.integer("group", 1));
  size_t channels = input.onnx_dims[1];
  if (group_in * groups != channels) reader_.refuse("weight input channels do not match the input");
  Window window = reader_.convolution_window(node, int64_t(kernel_h), int64_t(kernel_w));
  const auto &strides = window.strides, &pads = window.pads, &dilations = window.dilations;
  size_t out_h = size_t(window.output_size(int64_t(input.onnx_dims[2]), 0));
  size_t out_w = size_t(window.output_size(int64_t(input.onnx_dims[3]), 1));
  std::vector<float> bias = reader_.bias_values(node, 2, out_channels);

  Activation activation = reader_.fusable_activation(node.outputs[0]);
  std::string output_name = reader_.take_activation(activation, node.outputs[0]);
  Value output;
  output.onnx_dims = {batch_, out_channels, out_h, out_w};

  bool depthwise = groups > 1 && groups == channels && group_in == 1;
  auto output_quantization = reader_.quantized_readers(output_name);
  auto scales = reader_.channel_scales(weight, 0, out_channels);
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
    const void* packed = weights_.find_or_keep(key + "/filter", [&] {
      return as_bytes(depthwise ? filter_to_hwo(weight.fp32, weight.shape) : filter_to_ohwi(weight.fp32, weight.shape));
    });
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

void SubgraphBuilder::define_int8_filter_and_bias(const std::string& key, const WeightSource& weight, const std::vector<float>& scales,
                                 const std::vector<size_t>& filter_dims, size_t channel_dim,
                                 const std::vector<float>& bias, float input_scale, bool depthwise, uint32_t& filter,
                                 uint32_t& bias_id) {
  const void* packed = weights_.find_or_keep(key + "/filter", [&] {
    return as_bytes(weight.shape.size() == 4 ? (depthwise ? filter_to_hwo(weight.int8s, weight.shape)
                                                          : filter_to_ohwi(weight.int8s, weight.shape))
                                             : weight.int8s);
  });
  const float* filter_scales =
      static_cast<const float*>(weights_.find_or_keep(key + "/scales", [&] { return as_bytes(scales); }));
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
  const void* bias_data = weights_.find_or_keep(key + "/bias", [&] { return as_bytes(quantized_bias); });
  const float* kept_scales =
      static_cast<const float*>(weights_.find_or_keep(key + "/bias_scales", [&] { return as_bytes(bias_scales); }));
  size_t bias_dims[1] = {scales.size()};
  check(xnn_define_channelwise_quantized_tensor_value(result_.subgraph, xnn_datatype_qcint32, kept_scales, 1, 0,
                                                      bias_dims, bias_data, XNN_INVALID_VALUE_ID, 0, &bias_id),
        "define an int32 bias");
}

void SubgraphBuilder::fully_connected(const OnnxNode& node) {
  const std::string& input_name = node.inputs[0];
  Value& input = value(input_name);
  if (input.onnx_dims.size() != 2) reader_.refuse("fully connected input must be 2D (Flatten first)");
  size_t in = input.onnx_dims[1];
  FullyConnected layer = reader_.fully_connected(node, int64_t(in));
  const WeightSource& weight = layer.weight;
  bool out_first = layer.out_first;
  size_t out = size_t(layer.out);
  std::vector<float> bias = layer.bias;
  std::string produced = layer.produced;
  Activation activation = reader_.fusable_activation(produced);
  std::string output_name = reader_.take_activation(activation, produced);
  Value output;
  output.onnx_dims = {batch_, out};
  std::string key = node.outputs[0];

  auto output_quantization = reader_.quantized_readers(output_name);
  auto scales = reader_.channel_scales(weight, out_first ? 0 : 1, out);
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
    const void* packed = weights_.find_or_keep(key + "/fp32/filter", [&] {
      return as_bytes(matrix_to_rows(weight.fp32, int64_t(out), int64_t(in), out_first, input.feature_order));
    });
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

void SubgraphBuilder::pooling(const OnnxNode& node) {
  const std::string& input_name = node.inputs[0];
  Value& input = value(input_name);
  if (input.onnx_dims.size() != 4) reader_.refuse("pooling input must be 4D");
  Window window = reader_.pooling_window(node);
  const auto &strides = window.strides, &pads = window.pads, &dilations = window.dilations;
  std::vector<int64_t> kernel = {window.kernel_h, window.kernel_w};
  bool is_max = node.op_type == "MaxPool";
  bool padded = pads[0] || pads[1] || pads[2] || pads[3];
  if (!is_max && padded && node.integer("count_include_pad", 0)) reader_.refuse("count_include_pad 1 with padding");
  if (!is_max && (dilations[0] != 1 || dilations[1] != 1)) reader_.refuse("dilated average pooling");
  Value output;
  output.onnx_dims = {batch_, input.onnx_dims[1], size_t(window.output_size(int64_t(input.onnx_dims[2]), 0)),
                      size_t(window.output_size(int64_t(input.onnx_dims[3]), 1))};
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

void SubgraphBuilder::global_average_pooling(const OnnxNode& node) {
  const std::string& input_name = node.inputs[0];
  Value& input = value(input_name);
  if (input.onnx_dims.size() != 4) reader_.refuse("input must be 4D");
  Value output;
  output.onnx_dims = {batch_, input.onnx_dims[1], 1, 1};
  auto output_quantization = reader_.quantized_readers(node.outputs[0]);
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

void SubgraphBuilder::add(const OnnxNode& node) {
  const OnnxConstant* left_constant = model_.initializer(node.inputs[0]);
  const OnnxConstant* right_constant = model_.initializer(node.inputs[1]);
  if (left_constant && right_constant) reader_.refuse("adding two constants");
  if (left_constant || right_constant) return add_constant(node, left_constant ? node.inputs[1] : node.inputs[0],
                                                           left_constant ? node.inputs[0] : node.inputs[1]);
  Value& left = value(node.inputs[0]);
  Value& right = value(node.inputs[1]);
  if (left.onnx_dims != right.onnx_dims) reader_.refuse("Add of tensors with different shapes");
  if (left.feature_order != right.feature_order) reader_.refuse("Add of tensors flattened in different orders");
  Activation activation = reader_.fusable_activation(node.outputs[0]);
  std::string output_name = reader_.take_activation(activation, node.outputs[0]);
  Value output;
  output.onnx_dims = left.onnx_dims;
  output.feature_order = left.feature_order;
  auto output_quantization = reader_.quantized_readers(output_name);
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

void SubgraphBuilder::add_constant(const OnnxNode& node, const std::string& input_name, const std::string& constant_name) {
  Value& input = value(input_name);
  std::vector<float> values = reader_.weight_source(constant_name).fp32;
  size_t channels = input.onnx_dims[1];
  if (values.size() != channels || !input.feature_order.empty()) reader_.refuse("Add of a constant that is not per channel");
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

}  // namespace edgeloop::xnnpack_build
