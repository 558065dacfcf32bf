#include "edgeloop/runtime/reference_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/output_layout.h"

namespace edgeloop {
namespace {

using Tensor = ReferenceEngine::Tensor;

int64_t count_of(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t dimension : shape) count *= dimension;
  return count;
}

Tensor from_constant(const OnnxConstant& constant) {
  Tensor tensor{constant.shape, std::vector<float>(static_cast<size_t>(constant.element_count()))};
  for (int64_t index = 0; index < constant.element_count(); ++index) tensor.values[index] = float(constant.value(index));
  return tensor;
}

Tensor convolution(const OnnxNode& node, const Tensor& input, const Tensor& weight, const Tensor* bias) {
  int64_t batch = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3];
  int64_t out_channels = weight.shape[0], group_in = weight.shape[1];
  int64_t kernel_h = weight.shape[2], kernel_w = weight.shape[3];
  int64_t groups = node.integer("group", 1);
  auto strides = node.integers("strides", {1, 1});
  auto pads = node.integers("pads", {0, 0, 0, 0});
  auto dilations = node.integers("dilations", {1, 1});
  int64_t out_h = (height + pads[0] + pads[2] - dilations[0] * (kernel_h - 1) - 1) / strides[0] + 1;
  int64_t out_w = (width + pads[1] + pads[3] - dilations[1] * (kernel_w - 1) - 1) / strides[1] + 1;
  int64_t group_out = out_channels / groups;
  Tensor output{{batch, out_channels, out_h, out_w}, std::vector<float>(size_t(batch * out_channels * out_h * out_w))};
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oc = 0; oc < out_channels; ++oc) {
      int64_t group = oc / group_out;
      for (int64_t oy = 0; oy < out_h; ++oy)
        for (int64_t ox = 0; ox < out_w; ++ox) {
          double sum = bias ? bias->values[oc] : 0.0;
          for (int64_t ic = 0; ic < group_in; ++ic) {
            int64_t channel = group * group_in + ic;
            for (int64_t ky = 0; ky < kernel_h; ++ky) {
              int64_t iy = oy * strides[0] - pads[0] + ky * dilations[0];
              if (iy < 0 || iy >= height) continue;
              for (int64_t kx = 0; kx < kernel_w; ++kx) {
                int64_t ix = ox * strides[1] - pads[1] + kx * dilations[1];
                if (ix < 0 || ix >= width) continue;
                sum += double(input.values[((n * channels + channel) * height + iy) * width + ix]) *
                       weight.values[((oc * group_in + ic) * kernel_h + ky) * kernel_w + kx];
              }
            }
          }
          output.values[((n * out_channels + oc) * out_h + oy) * out_w + ox] = float(sum);
        }
    }
  return output;
}

Tensor pooling(const OnnxNode& node, const Tensor& input, bool is_max) {
  int64_t batch = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3];
  auto kernel = node.integers("kernel_shape", {1, 1});
  auto strides = node.integers("strides", {1, 1});
  auto pads = node.integers("pads", {0, 0, 0, 0});
  bool include_pad = node.integer("count_include_pad", 0) != 0;
  int64_t out_h = (height + pads[0] + pads[2] - kernel[0]) / strides[0] + 1;
  int64_t out_w = (width + pads[1] + pads[3] - kernel[1]) / strides[1] + 1;
  Tensor output{{batch, channels, out_h, out_w}, std::vector<float>(size_t(batch * channels * out_h * out_w))};
  for (int64_t plane = 0; plane < batch * channels; ++plane)
    for (int64_t oy = 0; oy < out_h; ++oy)
      for (int64_t ox = 0; ox < out_w; ++ox) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
        int64_t counted = 0;
        for (int64_t ky = 0; ky < kernel[0]; ++ky)
          for (int64_t kx = 0; kx < kernel[1]; ++kx) {
            int64_t iy = oy * strides[0] - pads[0] + ky, ix = ox * strides[1] - pads[1] + kx;
            if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
              if (include_pad) ++counted;
              continue;
            }
            float value = input.values[(plane * height + iy) * width + ix];
            best = std::max(best, double(value));
            sum += value;
            ++counted;
          }
        output.values[(plane * out_h + oy) * out_w + ox] = float(is_max ? best : sum / double(counted));
      }
  return output;
}

Tensor gemm(const Tensor& input, const Tensor& weight, bool transposed, const Tensor* bias) {
  int64_t rows = input.shape[0], inner = input.shape[1];
  int64_t columns = transposed ? weight.shape[0] : weight.shape[1];
  Tensor output{{rows, columns}, std::vector<float>(size_t(rows * columns))};
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t column = 0; column < columns; ++column) {
      double sum = 0.0;
      if (bias) sum = bias->values.size() == size_t(columns) ? bias->values[column] : bias->values[0];
      for (int64_t k = 0; k < inner; ++k) {
        float w = transposed ? weight.values[column * inner + k] : weight.values[k * columns + column];
        sum += double(input.values[row * inner + k]) * w;
      }
      output.values[row * columns + column] = float(sum);
    }
  return output;
}

// Elementwise with numpy broadcasting of `right` onto `left`'s shape (right may have fewer dims).
template <typename Operation>
Tensor broadcast(const Tensor& left, const Tensor& right, Operation operation) {
  const Tensor& big = count_of(left.shape) >= count_of(right.shape) ? left : right;
  const Tensor& small = &big == &left ? right : left;
  Tensor output{big.shape, std::vector<float>(big.values.size())};
  size_t rank = big.shape.size();
  std::vector<int64_t> small_shape(rank, 1);
  std::copy(small.shape.begin(), small.shape.end(), small_shape.end() - small.shape.size());
  for (int64_t index = 0; index < count_of(big.shape); ++index) {
    int64_t remainder = index, small_index = 0, small_stride = 1;
    for (size_t axis = rank; axis-- > 0;) {
      int64_t coordinate = remainder % big.shape[axis];
      remainder /= big.shape[axis];
      if (small_shape[axis] != 1) small_index += coordinate * small_stride;
      small_stride *= small_shape[axis];
    }
    float a = big.values[index], b = small.values[small_index];
    output.values[index] = &big == &left ? operation(a, b) : operation(b, a);
  }
  return output;
}

// QuantizeLinear / DequantizeLinear with a per-tensor or per-axis scale and zero point.
Tensor quantize(const Tensor& input, const Tensor& scale, const Tensor* zero_point, int64_t axis, bool to_int) {
  Tensor output{input.shape, std::vector<float>(input.values.size())};
  int64_t inner = 1;
  if (scale.values.size() > 1) {
    if (axis < 0) axis += int64_t(input.shape.size());
    for (size_t dimension = size_t(axis) + 1; dimension < input.shape.size(); ++dimension) inner *= input.shape[dimension];
  }
  for (size_t index = 0; index < input.values.size(); ++index) {
    size_t channel = scale.values.size() > 1 ? (index / inner) % scale.values.size() : 0;
    float zero = zero_point ? zero_point->values[zero_point->values.size() > 1 ? channel : 0] : 0.0f;
    if (to_int) {
      float value = std::nearbyint(input.values[index] / scale.values[channel]) + zero;
      output.values[index] = std::clamp(value, -128.0f, 127.0f);
    } else {
      output.values[index] = (input.values[index] - zero) * scale.values[channel];
    }
  }
  return output;
}

}  // namespace

ReferenceEngine::ReferenceEngine(const std::filesystem::path& model_file) {
  auto start = std::chrono::steady_clock::now();
  model_ = OnnxModel::load(model_file);
  load_milliseconds_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

InferenceResult ReferenceEngine::infer(const float* input, int batch) {
  tensors_.clear();
  const auto& shape = model_.input_shape();
  if (shape.size() != 4 && shape.size() != 2) throw unsupported(model_.file().string() + ": input must be 4D or 2D");
  int64_t channels = shape[1], height = shape.size() == 4 ? shape[2] : 1, width = shape.size() == 4 ? shape[3] : 1;
  Tensor image{{batch, channels, height, width}, std::vector<float>(size_t(batch * channels * height * width))};
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x)
        for (int64_t c = 0; c < channels; ++c)
          image.values[((n * channels + c) * height + y) * width + x] = input[((n * height + y) * width + x) * channels + c];
  if (shape.size() == 2) image.shape = {batch, channels};
  tensors_[model_.input_name()] = std::move(image);

  auto get = [&](const std::string& name) -> Tensor {
    if (const OnnxConstant* constant = model_.initializer(name)) return from_constant(*constant);
    auto found = tensors_.find(name);
    if (found == tensors_.end()) throw internal_error("reference engine: tensor '" + name + "' not computed");
    return found->second;
  };
  for (const OnnxNode& node : model_.nodes()) {
    const std::string& op = node.op_type;
    Tensor x = get(node.inputs[0]);
    Tensor out;
    if (op == "Conv") {
      Tensor bias;
      if (node.inputs.size() > 2 && !node.inputs[2].empty()) bias = get(node.inputs[2]);
      out = convolution(node, x, get(node.inputs[1]), bias.values.empty() ? nullptr : &bias);
    } else if (op == "Relu") {
      out = x;
      for (float& value : out.values) value = std::max(value, 0.0f);
    } else if (op == "Clip") {
      float low = node.inputs.size() > 1 && !node.inputs[1].empty() ? get(node.inputs[1]).values[0] : -INFINITY;
      float high = node.inputs.size() > 2 && !node.inputs[2].empty() ? get(node.inputs[2]).values[0] : INFINITY;
      out = x;
      for (float& value : out.values) value = std::clamp(value, low, high);
    } else if (op == "HardSigmoid" || op == "HardSwish") {
      float alpha = op == "HardSwish" ? 1.0f / 6.0f : node.real("alpha", 0.2f);
      float beta = node.real("beta", 0.5f);
      out = x;
      for (float& value : out.values) {
        float gate = std::clamp(alpha * value + beta, 0.0f, 1.0f);
        value = op == "HardSwish" ? value * gate : gate;
      }
    } else if (op == "Add" || op == "Mul") {
      bool add = op == "Add";
      out = broadcast(x, get(node.inputs[1]), [add](float a, float b) { return add ? a + b : a * b; });
    } else if (op == "MaxPool" || op == "AveragePool") {
      out = pooling(node, x, op == "MaxPool");
    } else if (op == "GlobalAveragePool") {
      int64_t plane = x.shape[2] * x.shape[3];
      out = Tensor{{x.shape[0], x.shape[1], 1, 1}, std::vector<float>(size_t(x.shape[0] * x.shape[1]))};
      for (size_t index = 0; index < out.values.size(); ++index) {
        double sum = 0.0;
        for (int64_t at = 0; at < plane; ++at) sum += x.values[index * plane + at];
        out.values[index] = float(sum / double(plane));
      }
    } else if (op == "Flatten" || op == "Reshape") {
      out = x;
      int64_t rows = x.shape[0];
      out.shape = {rows, count_of(x.shape) / rows};
      if (op == "Reshape") {
        Tensor target = get(node.inputs[1]);
        std::vector<int64_t> dims;
        int64_t known = 1, unknown = -1;
        for (size_t axis = 0; axis < target.values.size(); ++axis) {
          int64_t dimension = int64_t(target.values[axis]);
          if (dimension == 0) dimension = x.shape[axis];
          if (dimension == -1) unknown = int64_t(axis);
          else known *= dimension;
          dims.push_back(dimension);
        }
        if (unknown >= 0) dims[size_t(unknown)] = count_of(x.shape) / known;
        out.shape = dims;
      }
    } else if (op == "Gemm") {
      Tensor bias;
      if (node.inputs.size() > 2 && !node.inputs[2].empty()) bias = get(node.inputs[2]);
      out = gemm(x, get(node.inputs[1]), node.integer("transB", 0) != 0, bias.values.empty() ? nullptr : &bias);
    } else if (op == "MatMul") {
      out = gemm(x, get(node.inputs[1]), false, nullptr);
    } else if (op == "Softmax") {
      out = x;
      int64_t columns = x.shape.back();
      for (int64_t row = 0; row < count_of(x.shape) / columns; ++row) {
        float* values = out.values.data() + row * columns;
        float top = *std::max_element(values, values + columns);
        double sum = 0.0;
        for (int64_t column = 0; column < columns; ++column) sum += values[column] = std::exp(values[column] - top);
        for (int64_t column = 0; column < columns; ++column) values[column] = float(values[column] / sum);
      }
    } else if (op == "BatchNormalization") {
      Tensor scale = get(node.inputs[1]), shift = get(node.inputs[2]), mean = get(node.inputs[3]);
      Tensor variance = get(node.inputs[4]);
      float epsilon = node.real("epsilon", 1e-5f);
      int64_t channels = x.shape[1], plane = count_of(x.shape) / (x.shape[0] * channels);
      out = x;
      for (size_t index = 0; index < out.values.size(); ++index) {
        size_t channel = size_t((int64_t(index) / plane) % channels);
        out.values[index] = (x.values[index] - mean.values[channel]) / std::sqrt(variance.values[channel] + epsilon) *
                                scale.values[channel] + shift.values[channel];
      }
    } else if (op == "Identity" || op == "Dropout") {
      out = x;
    } else if (op == "Pad") {
      Tensor pads = get(node.inputs[1]);
      float fill = node.inputs.size() > 2 && !node.inputs[2].empty() ? get(node.inputs[2]).values[0] : 0.0f;
      int64_t top = int64_t(pads.values[2]), left = int64_t(pads.values[3]);
      int64_t bottom = int64_t(pads.values[6]), right = int64_t(pads.values[7]);
      int64_t height = x.shape[2], width = x.shape[3];
      out = Tensor{{x.shape[0], x.shape[1], height + top + bottom, width + left + right}, {}};
      out.values.assign(size_t(count_of(out.shape)), fill);
      for (int64_t plane = 0; plane < x.shape[0] * x.shape[1]; ++plane)
        for (int64_t y = 0; y < height; ++y)
          for (int64_t column = 0; column < width; ++column)
            out.values[(plane * out.shape[2] + y + top) * out.shape[3] + column + left] =
                x.values[(plane * height + y) * width + column];
    } else if (op == "QuantizeLinear" || op == "DequantizeLinear") {
      Tensor zero;
      if (node.inputs.size() > 2 && !node.inputs[2].empty()) zero = get(node.inputs[2]);
      out = quantize(x, get(node.inputs[1]), zero.values.empty() ? nullptr : &zero, node.integer("axis", 1),
                     op == "QuantizeLinear");
    } else {
      throw unsupported(model_.file().string() + ": node '" + node.name + "' op " + op +
                        " is not supported by the reference engine");
    }
    tensors_[node.outputs[0]] = std::move(out);
  }
  OutputLayout layout = OutputLayout::of(model_);
  InferenceResult result;
  result.batch = batch;
  Tensor probabilities = get(layout.probabilities);
  result.probabilities = probabilities.values;
  result.classes = int(probabilities.values.size() / size_t(batch));
  if (!layout.embedding.empty()) {
    Tensor embedding = get(layout.embedding);
    result.embedding = embedding.values;
    result.embedding_size = int(embedding.values.size() / size_t(batch));
  }
  return result;
}

}  // namespace edgeloop
