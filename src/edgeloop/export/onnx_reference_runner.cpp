#include "edgeloop/export/onnx_reference_runner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/export/onnx_graph_builder.h"

namespace edgeloop {
namespace {

using Tensors = std::map<std::string, NamedTensor>;

constexpr float kInt8Low = -128.0f, kInt8High = 127.0f;
constexpr float kUint8Low = 0.0f, kUint8High = 255.0f;

int64_t count_of(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t dimension : shape) count *= dimension;
  return count;
}

NamedTensor to_float_tensor(const onnx::TensorProto& tensor) {
  NamedTensor result;
  result.shape = tensor_shape(tensor);
  const int64_t count = count_of(result.shape);
  result.values.resize(count);
  const std::string& raw = tensor.raw_data();
  switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT: result.values = float_values(tensor); break;
    case onnx::TensorProto::INT8:
      for (int64_t index = 0; index < count; ++index) result.values[index] = static_cast<int8_t>(raw[index]);
      break;
    case onnx::TensorProto::UINT8:
      for (int64_t index = 0; index < count; ++index) result.values[index] = static_cast<uint8_t>(raw[index]);
      break;
    case onnx::TensorProto::INT64: {
      std::vector<int64_t> values(count);
      std::memcpy(values.data(), raw.data(), count * sizeof(int64_t));
      for (int64_t index = 0; index < count; ++index) result.values[index] = static_cast<float>(values[index]);
      break;
    }
    case onnx::TensorProto::INT32: {
      std::vector<int32_t> values(count);
      if (!raw.empty()) {
        std::memcpy(values.data(), raw.data(), count * sizeof(int32_t));
      } else {
        std::copy(tensor.int32_data().begin(), tensor.int32_data().end(), values.begin());
      }
      for (int64_t index = 0; index < count; ++index) result.values[index] = static_cast<float>(values[index]);
      break;
    }
    default:
      throw unsupported("initializer " + tensor.name() + " has an element type the reference runner lacks");
  }
  return result;
}

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const onnx::AttributeProto& attribute : node.attribute()) {
    if (attribute.name() == name) return &attribute;
  }
  return nullptr;
}

int64_t int_attribute(const onnx::NodeProto& node, const std::string& name, int64_t fallback) {
  const onnx::AttributeProto* attribute = find_attribute(node, name);
  return attribute ? attribute->i() : fallback;
}

float float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback) {
  const onnx::AttributeProto* attribute = find_attribute(node, name);
  return attribute ? attribute->f() : fallback;
}

std::vector<int64_t> ints_attribute(const onnx::NodeProto& node, const std::string& name,
                                    std::vector<int64_t> fallback) {
  const onnx::AttributeProto* attribute = find_attribute(node, name);
  if (!attribute) return fallback;
  return std::vector<int64_t>(attribute->ints().begin(), attribute->ints().end());
}

// Window geometry shared by Conv and the pools.
struct Window {
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right;
  int64_t out_h(int64_t in_h) const { return (in_h + pad_top + pad_bottom - kernel_h) / stride_h + 1; }
  int64_t out_w(int64_t in_w) const { return (in_w + pad_left + pad_right - kernel_w) / stride_w + 1; }
};

Window window_of(const onnx::NodeProto& node, int64_t kernel_h, int64_t kernel_w) {
  std::vector<int64_t> kernel = ints_attribute(node, "kernel_shape", {kernel_h, kernel_w});
  std::vector<int64_t> strides = ints_attribute(node, "strides", {1, 1});
  std::vector<int64_t> pads = ints_attribute(node, "pads", {0, 0, 0, 0});
  return Window{kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], pads[2], pads[3]};
}

// Direct convolution, one output plane at a time: for each input channel and kernel tap, a whole
// row of outputs gets weight × input (a loop the compiler vectorises). Plain, but not painfully slow.
NamedTensor conv(const onnx::NodeProto& node, const NamedTensor& input, const NamedTensor& weight,
                 const NamedTensor* bias) {
  const int64_t batch = input.shape[0], channels = input.shape[1], in_h = input.shape[2], in_w = input.shape[3];
  const int64_t outputs = weight.shape[0], group_channels = weight.shape[1];
  const int64_t groups = int_attribute(node, "group", 1);
  const Window window = window_of(node, weight.shape[2], weight.shape[3]);
  const int64_t out_h = window.out_h(in_h), out_w = window.out_w(in_w);
  const int64_t outputs_per_group = outputs / groups;
  NamedTensor result{{batch, outputs, out_h, out_w}, std::vector<float>(batch * outputs * out_h * out_w)};
  for (int64_t image = 0; image < batch; ++image) {
    for (int64_t output = 0; output < outputs; ++output) {
      float* plane = result.values.data() + (image * outputs + output) * out_h * out_w;
      std::fill(plane, plane + out_h * out_w, bias ? bias->values[output] : 0.0f);
      const int64_t first_channel = (output / outputs_per_group) * group_channels;
      for (int64_t channel = 0; channel < group_channels; ++channel) {
        const float* source = input.values.data() + (image * channels + first_channel + channel) * in_h * in_w;
        for (int64_t kernel_row = 0; kernel_row < window.kernel_h; ++kernel_row) {
          for (int64_t kernel_column = 0; kernel_column < window.kernel_w; ++kernel_column) {
            const float tap = weight.values[((output * group_channels + channel) * window.kernel_h + kernel_row) *
                                                window.kernel_w + kernel_column];
            // Output columns whose input column x = column·stride − pad + kernel_column is inside the image.
            const int64_t offset = kernel_column - window.pad_left;
            int64_t first_column = 0;
            while (first_column < out_w && first_column * window.stride_w + offset < 0) ++first_column;
            int64_t end_column = out_w;
            while (end_column > first_column && (end_column - 1) * window.stride_w + offset >= in_w) --end_column;
            for (int64_t row = 0; row < out_h; ++row) {
              const int64_t y = row * window.stride_h - window.pad_top + kernel_row;
              if (y < 0 || y >= in_h) continue;
              const float* source_row = source + y * in_w + offset;
              float* output_row = plane + row * out_w;
              if (window.stride_w == 1) {
                for (int64_t column = first_column; column < end_column; ++column) output_row[column] += tap * source_row[column];
              } else {
                for (int64_t column = first_column; column < end_column; ++column) {
                  output_row[column] += tap * source_row[column * window.stride_w];
                }
              }
            }
          }
        }
      }
    }
  }
  return result;
}

NamedTensor pool(const onnx::NodeProto& node, const NamedTensor& input, bool is_max) {
  const int64_t batch = input.shape[0], channels = input.shape[1], in_h = input.shape[2], in_w = input.shape[3];
  const Window window = window_of(node, 1, 1);
  const bool count_padding = int_attribute(node, "count_include_pad", 0) != 0;
  const int64_t out_h = window.out_h(in_h), out_w = window.out_w(in_w);
  NamedTensor result{{batch, channels, out_h, out_w}, std::vector<float>(batch * channels * out_h * out_w)};
  for (int64_t plane = 0; plane < batch * channels; ++plane) {
    for (int64_t row = 0; row < out_h; ++row) {
      for (int64_t column = 0; column < out_w; ++column) {
        double value = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t counted = 0;
        for (int64_t kernel_row = 0; kernel_row < window.kernel_h; ++kernel_row) {
          for (int64_t kernel_column = 0; kernel_column < window.kernel_w; ++kernel_column) {
            const int64_t y = row * window.stride_h - window.pad_top + kernel_row;
            const int64_t x = column * window.stride_w - window.pad_left + kernel_column;
            if (y < 0 || y >= in_h || x < 0 || x >= in_w) {
              if (count_padding) ++counted;
              continue;
            }
            const float element = input.values[(plane * in_h + y) * in_w + x];
            value = is_max ? std::max<double>(value, element) : value + element;
            ++counted;
          }
        }
        result.values[(plane * out_h + row) * out_w + column] =
            static_cast<float>(is_max ? value : value / std::max<int64_t>(counted, 1));
      }
    }
  }
  return result;
}

// Constant zero padding of a [N, C, H, W] tensor; pads = [0, 0, top, left, 0, 0, bottom, right].
NamedTensor pad(const NamedTensor& input, const NamedTensor& pads) {
  const int64_t planes = input.shape[0] * input.shape[1], in_h = input.shape[2], in_w = input.shape[3];
  const auto top = static_cast<int64_t>(pads.values[2]), left = static_cast<int64_t>(pads.values[3]);
  const int64_t out_h = in_h + top + static_cast<int64_t>(pads.values[6]);
  const int64_t out_w = in_w + left + static_cast<int64_t>(pads.values[7]);
  NamedTensor result{{input.shape[0], input.shape[1], out_h, out_w}, std::vector<float>(planes * out_h * out_w, 0.0f)};
  for (int64_t plane = 0; plane < planes; ++plane) {
    for (int64_t row = 0; row < in_h; ++row) {
      for (int64_t column = 0; column < in_w; ++column) {
        result.values[(plane * out_h + row + top) * out_w + column + left] = input.values[(plane * in_h + row) * in_w + column];
      }
    }
  }
  return result;
}

NamedTensor global_average_pool(const NamedTensor& input) {
  const int64_t batch = input.shape[0], channels = input.shape[1], area = input.shape[2] * input.shape[3];
  NamedTensor result{{batch, channels, 1, 1}, std::vector<float>(batch * channels)};
  for (int64_t plane = 0; plane < batch * channels; ++plane) {
    double sum = 0.0;
    for (int64_t index = 0; index < area; ++index) sum += input.values[plane * area + index];
    result.values[plane] = static_cast<float>(sum / area);
  }
  return result;
}

NamedTensor gemm(const onnx::NodeProto& node, const NamedTensor& input, const NamedTensor& weight,
                 const NamedTensor* bias) {
  const bool transposed = int_attribute(node, "transB", 0) != 0;
  const float alpha = float_attribute(node, "alpha", 1.0f), beta = float_attribute(node, "beta", 1.0f);
  const int64_t batch = input.shape[0], features = input.shape[1];
  const int64_t outputs = transposed ? weight.shape[0] : weight.shape[1];
  NamedTensor result{{batch, outputs}, std::vector<float>(batch * outputs)};
  for (int64_t row = 0; row < batch; ++row) {
    for (int64_t output = 0; output < outputs; ++output) {
      double sum = 0.0;
      for (int64_t feature = 0; feature < features; ++feature) {
        const float element = transposed ? weight.values[output * features + feature]
                                         : weight.values[feature * outputs + output];
        sum += static_cast<double>(input.values[row * features + feature]) * element;
      }
      result.values[row * outputs + output] =
          static_cast<float>(alpha * sum + (bias ? beta * bias->values[output] : 0.0));
    }
  }
  return result;
}

// Elementwise with a scalar on either side or equal shapes (all the writer emits).
template <typename Operation>
NamedTensor elementwise(const NamedTensor& left, const NamedTensor& right, Operation operation, const std::string& node) {
  const bool left_scalar = left.values.size() == 1, right_scalar = right.values.size() == 1;
  if (!left_scalar && !right_scalar && left.values.size() != right.values.size()) {
    throw unsupported("node " + node + ": broadcasting beyond scalars is not in the reference runner");
  }
  NamedTensor result = left_scalar && !right_scalar ? right : left;
  for (size_t index = 0; index < result.values.size(); ++index) {
    result.values[index] = operation(left.values[left_scalar ? 0 : index], right.values[right_scalar ? 0 : index]);
  }
  return result;
}

NamedTensor softmax(const NamedTensor& input) {
  const int64_t rows = input.shape[0], columns = count_of(input.shape) / rows;
  NamedTensor result = input;
  for (int64_t row = 0; row < rows; ++row) {
    float* values = result.values.data() + row * columns;
    const float largest = *std::max_element(values, values + columns);
    double sum = 0.0;
    for (int64_t column = 0; column < columns; ++column) sum += (values[column] = std::exp(values[column] - largest));
    for (int64_t column = 0; column < columns; ++column) values[column] = static_cast<float>(values[column] / sum);
  }
  return result;
}

// Scale/zero point index for element `index` of a tensor quantized along `axis` (per-tensor when
// the scale has one value).
int64_t channel_of(const NamedTensor& tensor, int64_t index, int64_t axis, size_t parameter_count) {
  if (parameter_count == 1) return 0;
  int64_t inner = 1;
  for (size_t dimension = axis + 1; dimension < tensor.shape.size(); ++dimension) inner *= tensor.shape[dimension];
  return (index / inner) % tensor.shape[axis];
}

NamedTensor quantize(const onnx::NodeProto& node, const NamedTensor& input, const NamedTensor& scale,
                     const NamedTensor& zero_point, bool is_unsigned) {
  const int64_t axis = int_attribute(node, "axis", 1);
  const float low = is_unsigned ? kUint8Low : kInt8Low, high = is_unsigned ? kUint8High : kInt8High;
  NamedTensor result = input;
  for (size_t index = 0; index < result.values.size(); ++index) {
    const int64_t channel = channel_of(input, index, axis, scale.values.size());
    const float scaled = std::nearbyint(input.values[index] / scale.values[channel]) + zero_point.values[channel];
    result.values[index] = std::clamp(scaled, low, high);
  }
  return result;
}

NamedTensor dequantize(const onnx::NodeProto& node, const NamedTensor& input, const NamedTensor& scale,
                       const NamedTensor* zero_point) {
  const int64_t axis = int_attribute(node, "axis", 1);
  NamedTensor result = input;
  for (size_t index = 0; index < result.values.size(); ++index) {
    const int64_t channel = channel_of(input, index, axis, scale.values.size());
    const float zero = zero_point ? zero_point->values[channel] : 0.0f;
    result.values[index] = (input.values[index] - zero) * scale.values[channel];
  }
  return result;
}

NamedTensor batch_normalization(const onnx::NodeProto& node, const NamedTensor& input, const NamedTensor& gamma,
                                const NamedTensor& beta, const NamedTensor& mean, const NamedTensor& variance) {
  const float epsilon = float_attribute(node, "epsilon", 1e-5f);
  const int64_t channels = input.shape[1], area = input.shape[2] * input.shape[3];
  NamedTensor result = input;
  for (size_t index = 0; index < result.values.size(); ++index) {
    const int64_t channel = (static_cast<int64_t>(index) / area) % channels;
    result.values[index] = static_cast<float>((input.values[index] - mean.values[channel]) /
                                                  std::sqrt(static_cast<double>(variance.values[channel]) + epsilon) *
                                                  gamma.values[channel] +
                                              beta.values[channel]);
  }
  return result;
}

const std::set<std::string>& supported_ops() {
  static const std::set<std::string> ops = {"Conv", "BatchNormalization", "Relu", "HardSigmoid", "Mul", "Add",
                                            "MaxPool", "AveragePool", "Pad", "GlobalAveragePool", "Flatten", "Gemm",
                                            "Softmax", "QuantizeLinear", "DequantizeLinear"};
  return ops;
}

}  // namespace

OnnxReferenceRunner::OnnxReferenceRunner(const onnx::ModelProto& model) : graph_(model.graph()) {
  for (const onnx::TensorProto& tensor : graph_.initializer()) initializers_[tensor.name()] = to_float_tensor(tensor);
  for (const onnx::ValueInfoProto& input : graph_.input()) {
    if (!initializers_.count(input.name())) input_name_ = input.name();
  }
  for (const onnx::NodeProto& node : graph_.node()) {
    if (!supported_ops().count(node.op_type())) {
      throw unsupported("ONNX op " + node.op_type() + " (node " + node.name() + ") is not in the reference runner");
    }
  }
}

std::map<std::string, NamedTensor> OnnxReferenceRunner::run(const NamedTensor& input, bool keep_intermediates) const {
  Tensors values;
  values[input_name_] = input;
  auto get = [&](const onnx::NodeProto& node, int position) -> const NamedTensor& {
    const std::string& name = node.input(position);
    auto computed = values.find(name);
    if (computed != values.end()) return computed->second;
    auto stored = initializers_.find(name);
    if (stored != initializers_.end()) return stored->second;
    throw internal_error("ONNX node " + node.name() + " reads " + name + " before it is computed");
  };
  auto optional_input = [&](const onnx::NodeProto& node, int position) -> const NamedTensor* {
    return node.input_size() > position && !node.input(position).empty() ? &get(node, position) : nullptr;
  };
  for (const onnx::NodeProto& node : graph_.node()) {
    const std::string& op = node.op_type();
    NamedTensor output;
    if (op == "Conv") {
      output = conv(node, get(node, 0), get(node, 1), optional_input(node, 2));
    } else if (op == "BatchNormalization") {
      output = batch_normalization(node, get(node, 0), get(node, 1), get(node, 2), get(node, 3), get(node, 4));
    } else if (op == "Relu") {
      output = get(node, 0);
      for (float& value : output.values) value = std::max(value, 0.0f);
    } else if (op == "HardSigmoid") {
      const float alpha = float_attribute(node, "alpha", 0.2f), beta = float_attribute(node, "beta", 0.5f);
      output = get(node, 0);
      for (float& value : output.values) value = std::clamp(alpha * value + beta, 0.0f, 1.0f);
    } else if (op == "Mul") {
      output = elementwise(get(node, 0), get(node, 1), [](float a, float b) { return a * b; }, node.name());
    } else if (op == "Add") {
      output = elementwise(get(node, 0), get(node, 1), [](float a, float b) { return a + b; }, node.name());
    } else if (op == "MaxPool" || op == "AveragePool") {
      output = pool(node, get(node, 0), op == "MaxPool");
    } else if (op == "Pad") {
      output = pad(get(node, 0), get(node, 1));
    } else if (op == "GlobalAveragePool") {
      output = global_average_pool(get(node, 0));
    } else if (op == "Flatten") {
      output = get(node, 0);
      output.shape = {output.shape[0], count_of(output.shape) / output.shape[0]};
    } else if (op == "Gemm") {
      output = gemm(node, get(node, 0), get(node, 1), optional_input(node, 2));
    } else if (op == "Softmax") {
      output = softmax(get(node, 0));
    } else if (op == "QuantizeLinear") {
      const NamedTensor* zero_point = optional_input(node, 2);
      NamedTensor zero{{}, {0.0f}};
      bool is_unsigned = true;
      if (zero_point) {
        const std::string& zero_name = node.input(2);
        for (const onnx::TensorProto& tensor : graph_.initializer()) {
          if (tensor.name() == zero_name) is_unsigned = tensor.data_type() == onnx::TensorProto::UINT8;
        }
      }
      output = quantize(node, get(node, 0), get(node, 1), zero_point ? *zero_point : zero, is_unsigned);
    } else if (op == "DequantizeLinear") {
      output = dequantize(node, get(node, 0), get(node, 1), optional_input(node, 2));
    }
    values[node.output(0)] = std::move(output);
  }
  if (keep_intermediates) {
    values.erase(input_name_);
    return values;
  }
  std::map<std::string, NamedTensor> outputs;
  for (const onnx::ValueInfoProto& output : graph_.output()) outputs[output.name()] = values.at(output.name());
  return outputs;
}

}  // namespace edgeloop
