// xnnpack_int8_ceiling: how much faster int8 can be than fp32 in this XNNPACK at all. For every
// convolution and fully-connected shape of the ladder's models (from the ArchSpec expansion), one
// XNNPACK operator alone in a one-node subgraph, fp32 and qc8 (int8 activations, per-channel int8
// weights, as the xnnpack engine maps a QDQ file), one thread, p50 of the timed runs. Prints the
// per-shape fp32/int8 ratio and, per model, the FLOP-weighted ceiling of the whole-model ratio.
// With --models DIR (write_ladder_onnx output), also what the engine's int8 subgraph of each
// model runs in int8, in fp32, and how many int8/fp32 conversions it has.
//
// Usage: xnnpack_int8_ceiling [--families cnn-m,mobilenet,resnet] [--channels 1] [--size 28]
//                             [--iterations 300] [--models DIR]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <xnnpack.h>

#include "edgeloop/models/arch_spec.h"
#include "edgeloop/runtime/latency.h"
#include "edgeloop/runtime/xnnpack_engine.h"

namespace {

using namespace edgeloop;

constexpr size_t kSlackBytes = XNN_EXTRA_BYTES;
constexpr float kInputScale = 0.02f;     // int8 activation parameters: any plausible values do, the
constexpr int32_t kInputZeroPoint = -3;  // kernels' speed does not depend on them
constexpr float kOutputScale = 0.05f;
constexpr int32_t kOutputZeroPoint = -128;
constexpr uint32_t kSeed = 7;

// One convolution or fully-connected operator as the xnnpack engine defines it.
struct OperatorShape {
  bool linear = false;                  // fully connected (int8: a 1×1 convolution, as the engine does)
  int in_channels = 0, out_channels = 0, kernel = 1, stride = 1, padding = 0, groups = 1;
  int in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  bool relu = false;                    // a fused clamp at 0

  auto key() const { return std::tie(linear, in_channels, out_channels, kernel, stride, padding, groups, in_h, in_w, relu); }
  bool operator<(const OperatorShape& other) const { return key() < other.key(); }
  bool depthwise() const { return groups > 1 && groups == in_channels; }
  std::string text() const {
    char buffer[96];
    if (linear) {
      std::snprintf(buffer, sizeof(buffer), "fc %d->%d%s", in_channels, out_channels, relu ? " +relu" : "");
    } else {
      std::snprintf(buffer, sizeof(buffer), "%s%dx%d/%d %d->%d @%dx%d%s", depthwise() ? "dw " : "conv ", kernel, kernel,
                    stride, in_channels, out_channels, in_h, in_w, relu ? " +relu" : "");
    }
    return buffer;
  }
};

// Conv and linear layers of a model with the shapes they see, and the FLOPs of each.
std::vector<std::pair<OperatorShape, double>> operator_shapes(const ArchSpec& arch) {
  std::vector<LayerSpec> layers = arch.expand();
  std::vector<std::pair<OperatorShape, double>> shapes;
  for (size_t index = 0; index < layers.size(); ++index) {
    const LayerSpec& layer = layers[index];
    if (layer.kind != LayerKind::kConv2d && layer.kind != LayerKind::kLinear) continue;
    OperatorShape shape;
    shape.linear = layer.kind == LayerKind::kLinear;
    shape.in_channels = layer.in_channels;
    shape.out_channels = layer.out_channels;
    if (!shape.linear) {
      const int source = layer.inputs.at(0);
      shape.in_h = source < 0 ? arch.input.height : layers[size_t(source)].out_h;
      shape.in_w = source < 0 ? arch.input.width : layers[size_t(source)].out_w;
      shape.kernel = layer.kernel;
      shape.stride = layer.stride;
      shape.padding = layer.padding;
      shape.groups = layer.groups;
      shape.out_h = layer.out_h;
      shape.out_w = layer.out_w;
    }
    // The writer fuses a following ReLU (through batch norm) into the operator's output range.
    for (size_t next = index + 1; next < layers.size() && next <= index + 2; ++next) {
      if (layers[next].inputs.size() == 1 && layers[next].inputs[0] == int(next - 1) &&
          (layers[next].kind == LayerKind::kRelu || layers[next].kind == LayerKind::kRelu6)) {
        shape.relu = true;
      }
      if (layers[next].kind != LayerKind::kBatchNorm2d) break;
    }
    shapes.emplace_back(shape, layer_flops(layer));
  }
  return shapes;
}

void check(xnn_status status, const char* what) {
  if (status != xnn_status_success) throw std::runtime_error(std::string("XNNPACK: ") + what + " failed");
}

// p50 milliseconds of the operator alone, fp32 or qc8, on the caller's thread.
double time_operator(const OperatorShape& shape, bool int8, const LatencyOptions& options) {
  std::mt19937 random(kSeed);
  const size_t in_pixels = size_t(shape.in_h) * size_t(shape.in_w), out_pixels = size_t(shape.out_h) * size_t(shape.out_w);
  const size_t group_in = size_t(shape.in_channels / shape.groups);
  const size_t weights = size_t(shape.out_channels) * size_t(shape.kernel * shape.kernel) * group_in;
  const size_t element = int8 ? 1 : sizeof(float);
  std::vector<uint8_t> input(in_pixels * size_t(shape.in_channels) * element + kSlackBytes);
  std::vector<uint8_t> output(out_pixels * size_t(shape.out_channels) * element + kSlackBytes);
  std::vector<uint8_t> filter(weights * element + kSlackBytes);
  // Plausible values: int8 in -64..63, floats in -1..1 (random bytes as floats would be denormals,
  // which x86 runs far slower).
  auto fill = [&](std::vector<uint8_t>& bytes, size_t count) {
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (size_t index = 0; index < count; ++index) {
      if (int8) {
        bytes[index] = uint8_t(int8_t(std::lround(uniform(random) * 63.0f)));
      } else {
        const float value = uniform(random);
        std::memcpy(bytes.data() + index * sizeof(float), &value, sizeof(float));
      }
    }
  };
  fill(input, in_pixels * size_t(shape.in_channels));
  fill(filter, weights);
  std::vector<float> fp32_bias(size_t(shape.out_channels) + kSlackBytes, 0.01f);
  std::vector<int32_t> int32_bias(size_t(shape.out_channels) + kSlackBytes, 5);
  std::vector<float> filter_scales(size_t(shape.out_channels), 0.003f);
  std::vector<float> bias_scales(size_t(shape.out_channels), 0.003f * kInputScale);

  xnn_subgraph_t subgraph = nullptr;
  check(xnn_create_subgraph(2, 0, &subgraph), "create a subgraph");
  const bool as_linear = shape.linear && !int8;
  std::vector<size_t> in_dims = as_linear ? std::vector<size_t>{1, size_t(shape.in_channels)}
                                          : std::vector<size_t>{1, size_t(shape.in_h), size_t(shape.in_w), size_t(shape.in_channels)};
  std::vector<size_t> out_dims = as_linear ? std::vector<size_t>{1, size_t(shape.out_channels)}
                                           : std::vector<size_t>{1, size_t(shape.out_h), size_t(shape.out_w), size_t(shape.out_channels)};
  std::vector<size_t> filter_dims = shape.depthwise()
                                        ? std::vector<size_t>{1, size_t(shape.kernel), size_t(shape.kernel), size_t(shape.out_channels)}
                                        : std::vector<size_t>{size_t(shape.out_channels), size_t(shape.kernel), size_t(shape.kernel), group_in};
  if (as_linear) filter_dims = {size_t(shape.out_channels), size_t(shape.in_channels)};
  const size_t channel_dim = shape.depthwise() ? 3 : 0;
  size_t bias_dims[1] = {size_t(shape.out_channels)};
  uint32_t input_id, output_id, filter_id, bias_id;
  if (int8) {
    check(xnn_define_quantized_tensor_value(subgraph, xnn_datatype_qint8, kInputZeroPoint, kInputScale, in_dims.size(),
                                            in_dims.data(), nullptr, 0, XNN_VALUE_FLAG_EXTERNAL_INPUT, &input_id),
          "define the input");
    check(xnn_define_quantized_tensor_value(subgraph, xnn_datatype_qint8, kOutputZeroPoint, kOutputScale,
                                            out_dims.size(), out_dims.data(), nullptr, 1, XNN_VALUE_FLAG_EXTERNAL_OUTPUT,
                                            &output_id),
          "define the output");
    check(xnn_define_channelwise_quantized_tensor_value(subgraph, xnn_datatype_qcint8, filter_scales.data(),
                                                        filter_dims.size(), channel_dim, filter_dims.data(), filter.data(),
                                                        XNN_INVALID_VALUE_ID, 0, &filter_id),
          "define the filter");
    check(xnn_define_channelwise_quantized_tensor_value(subgraph, xnn_datatype_qcint32, bias_scales.data(), 1, 0,
                                                        bias_dims, int32_bias.data(), XNN_INVALID_VALUE_ID, 0, &bias_id),
          "define the bias");
  } else {
    check(xnn_define_tensor_value(subgraph, xnn_datatype_fp32, in_dims.size(), in_dims.data(), nullptr, 0,
                                  XNN_VALUE_FLAG_EXTERNAL_INPUT, &input_id),
          "define the input");
    check(xnn_define_tensor_value(subgraph, xnn_datatype_fp32, out_dims.size(), out_dims.data(), nullptr, 1,
                                  XNN_VALUE_FLAG_EXTERNAL_OUTPUT, &output_id),
          "define the output");
    check(xnn_define_tensor_value(subgraph, xnn_datatype_fp32, filter_dims.size(), filter_dims.data(), filter.data(),
                                  XNN_INVALID_VALUE_ID, 0, &filter_id),
          "define the filter");
    check(xnn_define_tensor_value(subgraph, xnn_datatype_fp32, 1, bias_dims, fp32_bias.data(), XNN_INVALID_VALUE_ID, 0,
                                  &bias_id),
          "define the bias");
  }
  const float low = shape.relu ? 0.0f : -INFINITY, high = INFINITY;
  const uint32_t pad = uint32_t(shape.padding), kernel = uint32_t(shape.kernel), stride = uint32_t(shape.stride);
  if (as_linear) {
    check(xnn_define_fully_connected(subgraph, low, high, input_id, filter_id, bias_id, output_id, 0), "define fc");
  } else if (shape.depthwise()) {
    check(xnn_define_depthwise_convolution_2d(subgraph, pad, pad, pad, pad, kernel, kernel, stride, stride, 1, 1, 1,
                                              size_t(shape.in_channels), low, high, input_id, filter_id, bias_id,
                                              output_id, 0),
          "define a depthwise convolution");
  } else {
    check(xnn_define_convolution_2d(subgraph, pad, pad, pad, pad, kernel, kernel, stride, stride, 1, 1,
                                    uint32_t(shape.groups), group_in, size_t(shape.out_channels / shape.groups), low,
                                    high, input_id, filter_id, bias_id, output_id, 0),
          "define a convolution");
  }
  xnn_runtime_t runtime = nullptr;
  check(xnn_create_runtime_v2(subgraph, /*threadpool=*/nullptr, 0, &runtime), "create the runtime");
  xnn_delete_subgraph(subgraph);
  xnn_external_value externals[2] = {{0, input.data()}, {1, output.data()}};
  check(xnn_setup_runtime(runtime, 2, externals), "set up the runtime");
  LatencyStats stats = measure_latency([&] { check(xnn_invoke_runtime(runtime), "run"); }, 1, options);
  xnn_delete_runtime(runtime);
  return stats.p50_ms;
}

}  // namespace

int main(int argc, char** argv) {
  std::string families = "cnn-m,mobilenet,resnet", models;
  int channels = 1, size = 28;
  LatencyOptions options;
  options.iterations = 300;
  options.max_seconds = 1e9;   // always the full count of runs
  for (int index = 1; index + 1 < argc; index += 2) {
    std::string flag = argv[index];
    if (flag == "--families") families = argv[index + 1];
    else if (flag == "--channels") channels = std::stoi(argv[index + 1]);
    else if (flag == "--size") size = std::stoi(argv[index + 1]);
    else if (flag == "--iterations") options.iterations = std::stoi(argv[index + 1]);
    else if (flag == "--models") models = argv[index + 1];
  }
  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "xnnpack_int8_ceiling: XNNPACK does not initialise on this CPU\n");
    return 1;
  }
  try {
    std::vector<std::pair<std::string, std::vector<std::pair<OperatorShape, double>>>> per_model;
    struct Timing {
      double flops = 0.0, fp32_ms = 0.0, int8_ms = 0.0;
    };
    std::map<OperatorShape, Timing> timings;
    std::stringstream list(families);
    for (std::string family; std::getline(list, family, ',');) {
      ArchSpec arch = ArchSpec::parse(family);
      arch.input = InputShape{channels, size, size};
      per_model.emplace_back(family, operator_shapes(arch));
      for (const auto& [shape, flops] : per_model.back().second) timings[shape].flops = flops;
    }
    std::printf("one XNNPACK operator alone, 1 thread, p50 of %d runs; input %dx%dx%d\n", options.iterations, channels,
                size, size);
    std::printf("%-32s %10s %10s %10s %8s\n", "operator", "MFLOP", "fp32 ms", "int8 ms", "ratio");
    for (auto& [shape, timing] : timings) {
      timing.fp32_ms = time_operator(shape, /*int8=*/false, options);
      timing.int8_ms = time_operator(shape, /*int8=*/true, options);
      std::printf("%-32s %10.3f %10.4f %10.4f %8.2f\n", shape.text().c_str(), timing.flops / 1e6, timing.fp32_ms,
                  timing.int8_ms, timing.fp32_ms / timing.int8_ms);
    }
    std::printf("\nper model (conv + fc only): FLOP-weighted ratio sum(F) / sum(F / ratio); summed times; and the\n"
                "summed-time ratio when each operator runs in its faster precision (conversions not counted)\n");
    std::printf("%-12s %9s %12s %12s %12s %12s %12s\n", "model", "MFLOP", "flop-ceiling", "fp32 ms sum", "int8 ms sum",
                "time-ratio", "best-of");
    for (const auto& [family, shapes] : per_model) {
      double flops = 0.0, weighted = 0.0, fp32_sum = 0.0, int8_sum = 0.0, best_sum = 0.0;
      for (const auto& [shape, layer_flops] : shapes) {
        const Timing& timing = timings.at(shape);
        flops += layer_flops;
        weighted += layer_flops * timing.int8_ms / timing.fp32_ms;
        fp32_sum += timing.fp32_ms;
        int8_sum += timing.int8_ms;
        best_sum += std::min(timing.fp32_ms, timing.int8_ms);
      }
      std::printf("%-12s %9.2f %11.2fx %12.4f %12.4f %11.2fx %11.2fx\n", family.c_str(), flops / 1e6, flops / weighted,
                  fp32_sum, int8_sum, fp32_sum / int8_sum, fp32_sum / best_sum);
    }
    if (!models.empty()) {
      std::printf("\nthe xnnpack engine's int8 subgraph of each model (batch 1)\n");
      std::printf("%-12s %10s %10s %10s\n", "model", "int8 ops", "fp32 ops", "converts");
      for (const auto& [family, shapes] : per_model) {
        XnnpackEngine engine(std::filesystem::path(models) / (family + ".int8.onnx"), EngineOptions{});
        XnnpackEngine::OperatorCounts counts = engine.operator_counts();
        std::printf("%-12s %10d %10d %10d\n", family.c_str(), counts.int8_operators, counts.fp32_operators,
                    counts.converts);
      }
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xnnpack_int8_ceiling: %s\n", error.what());
    return 1;
  }
  return 0;
}
