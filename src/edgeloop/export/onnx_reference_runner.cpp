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

// Element `index` of an integer tensor stored as raw_data or in its typed field.
template <typename Element, typename Field>
float integer_element(const onnx::TensorProto& tensor, const Field& field, int64_t index) {
  const std::string& raw = tensor.raw_data();
  if (raw.empty()) return static_cast<float>(static_cast<Element>(field.Get(static_cast<int>(index))));
  Element element;
  std::memcpy(&element, raw.data() + index * sizeof(Element), sizeof(Element));
  return static_cast<float>(element);
}

NamedTensor to_float_tensor(const onnx::TensorProto& tensor) {
  NamedTensor result;
  result.shape = tensor_shape(tensor);
  const int64_t count = count_of(result.shape);
  if (tensor.data_type() == onnx::TensorProto::FLOAT) {
    result.values = float_values(tensor);
    return result;
  }
  result.values.resize(count);
  for (int64_t index = 0; index < count; ++index) {
    switch (tensor.data_type()) {
      case onnx::TensorProto::INT8: result.values[index] = integer_element<int8_t>(tensor, tensor.int32_data(), index); break;
      case onnx::TensorProto::UINT8: result.values[index] = integer_element<uint8_t>(tensor, tensor.int32_data(), index); break;
      case onnx::TensorProto::INT32: result.values[index] = integer_element<int32_t>(tensor, tensor.int32_data(), index); break;
      case onnx::TensorProto::INT64: result.values[index] = integer_element<int64_t>(tensor, tensor.int64_data(), index); break;
      default:
        throw unsupported("ONNX tensor " + tensor.name() + " has an element type the reference runner lacks; "
                          "re-export with float, int8, uint8, int32 or int64 constants");
    }
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
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t out_h(int64_t in_h) const { return (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1; }
  int64_t out_w(int64_t in_w) const { return (in_w + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1; }
};

Window window_of(const onnx::NodeProto& node, int64_t kernel_h, int64_t kernel_w) {
  std::vector<int64_t> kernel = ints_attribute(node, "kernel_shape", {kernel_h, kernel_w});
  std::vector<int64_t> strides = ints_attribute(node, "strides", {1, 1});
  std::vector<int64_t> pads = ints_attribute(node, "pads", {0, 0, 0, 0});
  std::vector<int64_t> dilations = ints_attribute(node, "dilations", {1, 1});
  return Window{kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], pads[2], pads[3], dilations[0], dilations[1]};
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
            const int64_t offset = kernel_column * window.dilation_w - window.pad_left;
            int64_t first_column = 0;
            while (first_column < out_w && first_column * window.stride_w + offset < 0) ++first_column;
            int64_t end_column = out_w;
            while (end_column > first_column && (end_column - 1) * window.stride_w + offset >= in_w) --end_column;
            for (int64_t row = 0; row < out_h; ++row) {
              const int64_t y = row * window.stride_h - window.pad_top + kernel_row * window.dilation_h;
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
            const int64_t y = row * window.stride_h - window.pad_top + kernel_row * window.dilation_h;
            const int64_t x = column * window.stride_w - window.pad_left + kernel_column * window.dilation_w;
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

// Constant padding of a [N, C, H, W] tensor; pads = [0, 0, top, left, 0, 0, bottom, right].
NamedTensor pad(const NamedTensor& input, const NamedTensor& pads, float fill) {
  const int64_t planes = input.shape[0] * input.shape[1], in_h = input.shape[2], in_w = input.shape[3];
  const auto top = static_cast<int64_t>(pads.values[2]), left = static_cast<int64_t>(pads.values[3]);
  const int64_t out_h = in_h + top + static_cast<int64_t>(pads.values[6]);
  const int64_t out_w = in_w + left + static_cast<int64_t>(pads.values[7]);
  NamedTensor result{{input.shape[0], input.shape[1], out_h, out_w}, std::vector<float>(planes * out_h * out_w, fill)};
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
          static_cast<float>(alpha * sum + (bias ? beta * bias->values[bias->values.size() == 1 ? 0 : output] : 0.0));
    }
  }
  return result;
}

// Elementwise with numpy broadcasting: the smaller operand's shape, aligned right, must broadcast
// into the larger one's (a scalar, a per-channel [C, 1, 1], an equal shape: all that graphs here use).
template <typename Operation>
NamedTensor elementwise(const NamedTensor& left, const NamedTensor& right, Operation operation, const std::string& node) {
  const bool left_is_larger = left.values.size() >= right.values.size();
  const NamedTensor& larger = left_is_larger ? left : right;
  const NamedTensor& smaller = left_is_larger ? right : left;
  const size_t rank = larger.shape.size();
  if (smaller.shape.size() > rank) {
    throw unsupported("node " + node + ": broadcasting a higher-rank operand is not in the reference runner");
  }
  std::vector<int64_t> smaller_shape(rank, 1);
  std::copy(smaller.shape.begin(), smaller.shape.end(), smaller_shape.end() - smaller.shape.size());
  for (size_t axis = 0; axis < rank; ++axis) {
    if (smaller_shape[axis] != 1 && smaller_shape[axis] != larger.shape[axis]) {
      throw unsupported("node " + node + ": shapes do not broadcast");
    }
  }
  // Where element `index` of the larger operand finds its partner in the smaller one.
  auto smaller_index_of = [&](size_t index) -> size_t {
    if (smaller.values.size() == larger.values.size()) return index;   // equal shapes
    if (smaller.values.size() == 1) return 0;                           // a scalar
    int64_t remainder = static_cast<int64_t>(index), smaller_index = 0, smaller_stride = 1;
    for (size_t axis = rank; axis-- > 0;) {
      const int64_t coordinate = remainder % larger.shape[axis];
      remainder /= larger.shape[axis];
      if (smaller_shape[axis] != 1) smaller_index += coordinate * smaller_stride;
      smaller_stride *= smaller_shape[axis];
    }
    return static_cast<size_t>(smaller_index);
  };
  NamedTensor result = larger;
  for (size_t index = 0; index < result.values.size(); ++index) {
    const float big = larger.values[index], small = smaller.values[smaller_index_of(index)];
    result.values[index] = left_is_larger ? operation(big, small) : operation(small, big);
  }
  return result;
}

// Softmax over the last axis (opset 13's default, and what every graph here uses).
NamedTensor softmax(const NamedTensor& input) {
  const int64_t columns = input.shape.back(), rows = count_of(input.shape) / columns;
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
  if (axis < 0) axis += static_cast<int64_t>(tensor.shape.size());
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

// Reshape's target: 0 copies the input's dimension, -1 takes what is left.
std::vector<int64_t> reshaped(const std::vector<int64_t>& shape, const NamedTensor& target) {
  std::vector<int64_t> result;
  int64_t known = 1, unknown = -1;
  for (size_t axis = 0; axis < target.values.size(); ++axis) {
    int64_t dimension = static_cast<int64_t>(target.values[axis]);
    if (dimension == 0) dimension = shape[axis];
    if (dimension == -1) unknown = static_cast<int64_t>(axis);
    else known *= dimension;
    result.push_back(dimension);
  }
  if (unknown >= 0) result[unknown] = count_of(shape) / known;
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
  static const std::set<std::string> ops = {
      "Conv",    "BatchNormalization", "Relu",    "Clip",     "HardSigmoid",    "HardSwish",        "Mul",
      "Add",     "MaxPool",            "AveragePool", "Pad",  "GlobalAveragePool", "Flatten",       "Reshape",
      "Gemm",    "MatMul",             "Softmax", "Identity", "Dropout",        "Constant",         "QuantizeLinear",
      "DequantizeLinear"};
  return ops;
}

}  // namespace

OnnxReferenceRunner::OnnxReferenceRunner(const onnx::ModelProto& model) : graph_(model.graph()) {
  auto add_constant = [this](const onnx::TensorProto& tensor, const std::string& name) {
    initializers_[name] = to_float_tensor(tensor);
    if (tensor.data_type() == onnx::TensorProto::UINT8) unsigned_constants_.insert(name);
  };
  for (const onnx::TensorProto& tensor : graph_.initializer()) add_constant(tensor, tensor.name());
  for (const onnx::ValueInfoProto& input : graph_.input()) {
    if (!initializers_.count(input.name())) input_name_ = input.name();
  }
  for (const onnx::NodeProto& node : graph_.node()) {
    if (!supported_ops().count(node.op_type())) {
      throw unsupported("ONNX op " + node.op_type() + " (node " + node.name() + ") is not in the reference runner");
    }
    if (node.op_type() == "Constant") {
      const onnx::AttributeProto* value = find_attribute(node, "value");
      if (!value || !value->has_t()) throw unsupported("Constant node " + node.name() + " has no tensor value");
      add_constant(value->t(), node.output(0));
    }
  }
}

// Over 80 lines on purpose: one branch per ONNX op the interpreter knows, so the dispatch reads as
// the list of supported ops; each op's arithmetic is in its own function above.
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
    if (op == "Constant") continue;   // folded into initializers_ at construction
    NamedTensor output;
    if (op == "Conv") {
      output = conv(node, get(node, 0), get(node, 1), optional_input(node, 2));
    } else if (op == "BatchNormalization") {
      output = batch_normalization(node, get(node, 0), get(node, 1), get(node, 2), get(node, 3), get(node, 4));
    } else if (op == "Relu") {
      output = get(node, 0);
      for (float& value : output.values) value = std::max(value, 0.0f);
    } else if (op == "Clip") {
      // Opset ≥ 11 passes the bounds as inputs, older opsets as attributes.
      const NamedTensor* low_input = optional_input(node, 1);
      const NamedTensor* high_input = optional_input(node, 2);
      const float low = low_input ? low_input->values[0] : float_attribute(node, "min", -INFINITY);
      const float high = high_input ? high_input->values[0] : float_attribute(node, "max", INFINITY);
      output = get(node, 0);
      for (float& value : output.values) value = std::clamp(value, low, high);
    } else if (op == "HardSigmoid") {
      const float alpha = float_attribute(node, "alpha", 0.2f), beta = float_attribute(node, "beta", 0.5f);
      output = get(node, 0);
      for (float& value : output.values) value = std::clamp(alpha * value + beta, 0.0f, 1.0f);
    } else if (op == "HardSwish") {
      output = get(node, 0);
      for (float& value : output.values) value *= std::clamp(value / 6.0f + 0.5f, 0.0f, 1.0f);
    } else if (op == "Mul") {
      output = elementwise(get(node, 0), get(node, 1), [](float a, float b) { return a * b; }, node.name());
    } else if (op == "Add") {
      output = elementwise(get(node, 0), get(node, 1), [](float a, float b) { return a + b; }, node.name());
    } else if (op == "MaxPool" || op == "AveragePool") {
      output = pool(node, get(node, 0), op == "MaxPool");
    } else if (op == "Pad") {
      const NamedTensor* fill = optional_input(node, 2);
      output = pad(get(node, 0), get(node, 1), fill ? fill->values[0] : 0.0f);
    } else if (op == "GlobalAveragePool") {
      output = global_average_pool(get(node, 0));
    } else if (op == "Flatten") {
      output = get(node, 0);
      output.shape = {output.shape[0], count_of(output.shape) / output.shape[0]};
    } else if (op == "Reshape") {
      output = get(node, 0);
      output.shape = reshaped(output.shape, get(node, 1));
    } else if (op == "Gemm") {
      output = gemm(node, get(node, 0), get(node, 1), optional_input(node, 2));
    } else if (op == "MatMul") {
      output = gemm(onnx::NodeProto(), get(node, 0), get(node, 1), nullptr);
    } else if (op == "Softmax") {
      output = softmax(get(node, 0));
    } else if (op == "Identity" || op == "Dropout") {
      output = get(node, 0);
    } else if (op == "QuantizeLinear") {
      const NamedTensor* zero_point = optional_input(node, 2);
      const NamedTensor zero{{}, {0.0f}};
      // ONNX: no zero point means uint8; otherwise the zero point's type decides.
      const bool is_unsigned = !zero_point || unsigned_constants_.count(node.input(2)) != 0;
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
