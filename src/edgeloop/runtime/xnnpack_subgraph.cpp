#include "edgeloop/runtime/xnnpack_subgraph.h"

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/xnnpack_subgraph_builder.h"

namespace edgeloop::xnnpack_build {

void SubgraphBuilder::check(xnn_status status, const std::string& what) const {
  if (status != xnn_status_success) reader_.refuse("XNNPACK refused to " + what + " (status " + std::to_string(status) + ")");
}

Value& SubgraphBuilder::value(const std::string& name) {
  auto found = values_.find(name);
  if (found == values_.end()) {
    if (model_.initializer(name)) reader_.refuse("a constant '" + name + "' where an activation was expected");
    reader_.refuse("input '" + name + "' is not produced by any node before it");
  }
  return found->second;
}

uint32_t SubgraphBuilder::external_id(const std::string& name) const {
  if (name == layout_.probabilities) return kXnnpackProbabilitiesId;
  if (!layout_.embedding.empty() && name == layout_.embedding) return kXnnpackEmbeddingId;
  return XNN_INVALID_VALUE_ID;
}

uint32_t SubgraphBuilder::new_fp32(const std::string& name, const std::vector<size_t>& onnx_dims) {
  uint32_t external = external_id(name);
  uint32_t flags = external == XNN_INVALID_VALUE_ID ? 0 : XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
  std::vector<size_t> dims = to_xnn_dims(onnx_dims);
  uint32_t id = XNN_INVALID_VALUE_ID;
  check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, dims.size(), dims.data(), nullptr, external,
                                flags, &id),
        "define a float tensor");
  return id;
}

uint32_t SubgraphBuilder::new_quantized(const std::vector<size_t>& onnx_dims, const Quantization& quantization) {
  std::vector<size_t> dims = to_xnn_dims(onnx_dims);
  uint32_t id = XNN_INVALID_VALUE_ID;
  check(xnn_define_quantized_tensor_value(result_.subgraph, xnn_datatype_qint8, quantization.zero_point,
                                          quantization.scale, dims.size(), dims.data(), nullptr,
                                          XNN_INVALID_VALUE_ID, 0, &id),
        "define an int8 tensor");
  result_.quantized = true;
  return id;
}

uint32_t SubgraphBuilder::static_fp32(const std::string& key, const std::vector<size_t>& dims, const std::vector<float>& values) {
  const void* data = weights_.find_or_keep(key, [&] { return as_bytes(values); });
  uint32_t id = XNN_INVALID_VALUE_ID;
  check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, dims.size(), dims.data(), data,
                                XNN_INVALID_VALUE_ID, 0, &id),
        "define a float weight");
  return id;
}

uint32_t SubgraphBuilder::fp32_of(const std::string& name) {
  Value& source = value(name);
  if (source.fp32 != XNN_INVALID_VALUE_ID) return source.fp32;
  auto converted = dequantized_.find(source.quantized);
  if (converted != dequantized_.end() && external_id(name) == XNN_INVALID_VALUE_ID) {
    source.fp32 = converted->second;   // these int8 values were converted already (a graph output's)
    return source.fp32;
  }
  source.fp32 = new_fp32(name, source.onnx_dims);
  check(xnn_define_convert(result_.subgraph, source.quantized, source.fp32, 0), "convert int8 to float");
  ++result_.converts;
  dequantized_.emplace(source.quantized, source.fp32);
  return source.fp32;
}

uint32_t SubgraphBuilder::quantized_of(const std::string& name, const Quantization& quantization) {
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

void SubgraphBuilder::define_input() {
  Value input;
  for (int64_t dim : reader_.input_dims(int64_t(batch_))) input.onnx_dims.push_back(size_t(dim));
  std::vector<size_t> dims = to_xnn_dims(input.onnx_dims);
  check(xnn_define_tensor_value(result_.subgraph, xnn_datatype_fp32, dims.size(), dims.data(), nullptr,
                                kXnnpackInputId, XNN_VALUE_FLAG_EXTERNAL_INPUT, &input.fp32),
        "define the input");
  result_.input_size = product(input.onnx_dims, 1);
  store(model_.input_name(), input);
}

size_t SubgraphBuilder::finish_output(const std::string& name, uint32_t external, std::vector<size_t>& order) {
  Value& output = value(name);
  if (output.fp32 == XNN_INVALID_VALUE_ID) fp32_of(name);
  order = output.feature_order;
  return product(output.onnx_dims, 1);
}

void SubgraphBuilder::store(const std::string& name, const Value& stored) {
  values_[name] = stored;
  last_stored_ = name;
}

void SubgraphBuilder::count_operator(const OnnxNode& node) {
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

void SubgraphBuilder::map_node(const OnnxNode& node) {
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
  reader_.refuse("this op is not supported");
}

void SubgraphBuilder::alias(const std::string& input, const std::string& output) {
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

void SubgraphBuilder::clamp(const OnnxNode& node) {
  float low = 0.0f, high = kUnbounded;
  if (node.op_type == "Clip") {
    auto bounds = reader_.clip_bounds(node);
    if (!bounds) reader_.refuse("Clip bounds must be constants");
    std::tie(low, high) = *bounds;
  }
  define_clamp(node.inputs[0], node.outputs[0], low, high);
}

void SubgraphBuilder::define_clamp(const std::string& input_name, const std::string& output_name, float low, float high) {
  Value& input = value(input_name);
  Value output;
  output.onnx_dims = input.onnx_dims;
  output.feature_order = input.feature_order;
  auto output_quantization = reader_.quantized_readers(output_name);
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

void SubgraphBuilder::batch_normalization(const OnnxNode& node) {
  Value& input = value(node.inputs[0]);
  if (!input.feature_order.empty()) reader_.refuse("BatchNormalization after a flatten of an image");
  std::vector<float> scale = reader_.weight_source(node.inputs[1]).fp32, shift = reader_.weight_source(node.inputs[2]).fp32;
  std::vector<float> mean = reader_.weight_source(node.inputs[3]).fp32, variance = reader_.weight_source(node.inputs[4]).fp32;
  float epsilon = node.real("epsilon", 1e-5f);
  size_t channels = input.onnx_dims[1];
  if (scale.size() != channels || shift.size() != channels || mean.size() != channels || variance.size() != channels) {
    reader_.refuse("BatchNormalization parameters do not match the channels");
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
  Activation activation = reader_.fusable_activation(node.outputs[0]);
  std::string output_name = reader_.take_activation(activation, node.outputs[0]);
  Value output;
  output.onnx_dims = input.onnx_dims;
  output.fp32 = new_fp32(output_name, output.onnx_dims);
  check(xnn_define_add2(result_.subgraph, activation.low, activation.high, scaled, offset_id, output.fp32, 0),
        "define an add");
  store(output_name, output);
}

void SubgraphBuilder::hardswish(const OnnxNode& node, const std::string& input_name, const std::string& output_name) {
  uint32_t input_id = fp32_of(input_name);
  Value output;
  output.onnx_dims = value(input_name).onnx_dims;
  output.feature_order = value(input_name).feature_order;
  output.fp32 = new_fp32(output_name, output.onnx_dims);
  check(xnn_define_hardswish(result_.subgraph, input_id, output.fp32, 0), "define a hardswish");
  store(output_name, output);
}

void SubgraphBuilder::hardsigmoid(const OnnxNode& node) {
  if (auto relu6 = reader_.scaled_hardsigmoid(node)) {
    reader_.skip(relu6->first);
    return define_clamp(node.inputs[0], relu6->first->outputs[0], 0.0f, relu6->second);
  }
  if (const OnnxNode* multiply = reader_.hardswish_multiply(node)) {
    reader_.skip(multiply);
    return hardswish(node, node.inputs[0], multiply->outputs[0]);
  }
  reader_.refuse("HardSigmoid is supported only as x * HardSigmoid(x; 1/6, 1/2) (HardSwish) or k * HardSigmoid(x; 1/k, 0) "
         "(Relu6)");
}

void SubgraphBuilder::flatten(const OnnxNode& node) {
  const std::string& input_name = node.inputs[0];
  Value& input = value(input_name);
  size_t features = product(input.onnx_dims, 1);
  reader_.check_flatten(node, int64_t(batch_), int64_t(features));
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
  // int8 stays int8 (a graph output is converted once at the end, by finish_output()).
  if (input.fp32 == XNN_INVALID_VALUE_ID) {
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

void SubgraphBuilder::softmax(const OnnxNode& node) {
  Value& input = value(node.inputs[0]);
  int64_t axis = node.integer("axis", -1);
  if (input.onnx_dims.size() != 2 || (axis != 1 && axis != -1)) reader_.refuse("Softmax only over the last axis of [N, F]");
  uint32_t input_id = fp32_of(node.inputs[0]);
  Value output;
  output.onnx_dims = input.onnx_dims;
  output.feature_order = input.feature_order;
  output.fp32 = new_fp32(node.outputs[0], output.onnx_dims);
  check(xnn_define_softmax(result_.subgraph, input_id, output.fp32, 0), "define a softmax");
  store(node.outputs[0], output);
}

void SubgraphBuilder::pad(const OnnxNode& node) {
  if (node.text("mode", "constant") != "constant") reader_.refuse("only constant padding");
  Value& input = value(node.inputs[0]);
  const OnnxConstant& pads = reader_.constant(node.inputs[1]);
  float fill = node.inputs.size() > 2 && !node.inputs[2].empty() ? float(reader_.constant(node.inputs[2]).value(0)) : 0.0f;
  size_t rank = input.onnx_dims.size();
  if (size_t(pads.element_count()) != 2 * rank) reader_.refuse("pads must have two values per axis");
  std::vector<size_t> before(rank), after(rank);
  bool any = false;
  for (size_t axis = 0; axis < rank; ++axis) {
    before[axis] = size_t(pads.value(int64_t(axis)));
    after[axis] = size_t(pads.value(int64_t(axis + rank)));
    any = any || before[axis] || after[axis];
  }
  if (!any) return alias(node.inputs[0], node.outputs[0]);
  if (rank != 4 || before[0] || before[1] || after[0] || after[1]) reader_.refuse("only spatial padding of images");
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

bool SubgraphBuilder::input_stays_float(const OnnxNode& quantize_node) {
  if (quantize_node.inputs[0] != model_.input_name() || model_.is_output(quantize_node.outputs[0])) return false;
  auto dequantizers = model_.consumers(quantize_node.outputs[0]);
  if (dequantizers.empty()) return false;
  for (const OnnxNode* dequantizer : dequantizers) {
    if (dequantizer->op_type != "DequantizeLinear" || model_.is_output(dequantizer->outputs[0])) return false;
    auto readers = model_.consumers(dequantizer->outputs[0]);
    if (readers.empty()) return false;
    for (const OnnxNode* reader : readers) {
      if (reader->op_type != "Conv" || reader->inputs[0] != dequantizer->outputs[0]) return false;
      const OnnxNode* weight = reader_.producer(reader->inputs[1]);
      const std::string& weight_name = weight ? weight->inputs[0] : reader->inputs[1];
      const OnnxConstant* filter = model_.initializer(weight_name);
      if (!filter || filter->shape.size() != 4) return false;
      if (filter->shape[1] * filter->shape[2] * filter->shape[3] > kFloatStemMaxReduction) return false;
    }
  }
  return true;
}

void SubgraphBuilder::quantize(const OnnxNode& node) {
  auto quantization = reader_.quantization_of(node);
  if (!quantization) reader_.refuse("QuantizeLinear must be per tensor with a constant scale and int8 zero point");
  if (input_stays_float(node)) {
    float_pass_through_.insert(node.outputs[0]);
    return store(node.outputs[0], value(node.inputs[0]));
  }
  Value output;
  output.onnx_dims = value(node.inputs[0]).onnx_dims;
  output.feature_order = value(node.inputs[0]).feature_order;
  output.quantized = quantized_of(node.inputs[0], *quantization);
  output.quantization = *quantization;
  store(node.outputs[0], output);
}

void SubgraphBuilder::dequantize(const OnnxNode& node) {
  if (model_.initializer(node.inputs[0])) return;   // a weight: read by reader_.weight_source()
  if (float_pass_through_.count(node.inputs[0])) return store(node.outputs[0], value(node.inputs[0]));
  auto quantization = reader_.quantization_of(node);
  Value& input = value(node.inputs[0]);
  if (!quantization || input.quantized == XNN_INVALID_VALUE_ID || !(*quantization == input.quantization)) {
    reader_.refuse("DequantizeLinear must read a QuantizeLinear output with the same scale and zero point");
  }
  // A graph output holding the same int8 values (the embedding, which the classifier reads
  // through this pair) is converted first, into its external value: readers of the float here share it.
  for (const std::string& graph_output : {layout_.probabilities, layout_.embedding}) {
    auto found = values_.find(graph_output);
    if (found != values_.end() && found->second.quantized == input.quantized) fp32_of(graph_output);
  }
  Value output = value(node.inputs[0]);
  output.fp32 = XNN_INVALID_VALUE_ID;
  store(node.outputs[0], output);
  if (external_id(node.outputs[0]) != XNN_INVALID_VALUE_ID) fp32_of(node.outputs[0]);
}

}  // namespace edgeloop::xnnpack_build

namespace edgeloop {

const void* XnnpackWeightStore::find_or_keep(const std::string& key, const std::function<std::vector<uint8_t>()>& make) {
  auto found = blobs_.find(key);
  if (found != blobs_.end()) return found->second.data();
  std::vector<uint8_t> bytes = make();
  bytes_ += bytes.size();
  bytes.resize(bytes.size() + XNN_EXTRA_BYTES);
  return blobs_.emplace(key, std::move(bytes)).first->second.data();
}

XnnpackSubgraph build_xnnpack_subgraph(const OnnxModel& model, int batch, XnnpackWeightStore& weights) {
  return xnnpack_build::SubgraphBuilder(model, batch, weights).build();
}

}  // namespace edgeloop
