// OnednnBuilder: the ONNX-node-to-oneDNN mapping behind build_onednn_network (onednn_network.h),
// split over onednn_network.cpp (tensors, conversions, simple ops, outputs) and onednn_layers.cpp
// (convolution, inner product, pooling, add). Internal to runtime/; one builder per network.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <dnnl.hpp>

#include "edgeloop/runtime/onednn_network.h"
#include "edgeloop/runtime/onnx_graph_reader.h"
#include "edgeloop/runtime/output_layout.h"

namespace edgeloop::onednn_build {

// int8 activations run as u8: q_u8 = q_int8 + 128, so the zero point moves by the same amount.
constexpr int32_t kUint8Shift = 128;

// Whether oneDNN's int8 kernels on this CPU add pairs of u8 × s8 products in 16 bits
// (vpmaddubsw, on AVX2 and AVX-512 without VNNI), where 255 × 127 × 2 > 32767 saturates: the
// answers go wrong, not just less precise. Follows DNNL_MAX_CPU_ISA, as oneDNN's kernels do.
bool int8_products_saturate();

inline dnnl::memory::dims to_dims(const std::vector<int64_t>& dims) { return {dims.begin(), dims.end()}; }

// One ONNX tensor as oneDNN holds it: a float memory, a u8 memory, or both (made on demand with
// reorders). Dims are ONNX's ([N, C, H, W] or [N, F]); the layout is in each memory's desc.
struct Tensor {
  std::vector<int64_t> dims;
  dnnl::memory fp32;
  dnnl::memory quantized;
  Quantization quantization;   // of `quantized`, zero point in u8 terms
  bool is_input = false;       // the graph input: its handle changes per call, so it is never aliased
};

class OnednnBuilder {
 public:
  OnednnBuilder(const OnnxModel& model, int batch, const dnnl::engine& engine, OnednnWeights& weights)
      : model_(model), reader_(model, "onednn", "the xnnpack engine"), batch_(batch), engine_(engine),
        weights_(weights), layout_(OutputLayout::of(model)), int8_products_saturate_(int8_products_saturate()) {}

  OnednnNetwork build();

 private:
  // ---- tensors and conversions (onednn_network.cpp) ----------------------------------------------
  Tensor& value(const std::string& name);
  void store(const std::string& name, Tensor tensor) { values_[name] = std::move(tensor); }
  dnnl::memory new_memory(const dnnl::memory::desc& desc) { return dnnl::memory(desc, engine_); }
  // A runtime s32 zero point argument.
  dnnl::memory zero_point_memory(int32_t zero_point);
  void add_step(dnnl::primitive primitive, std::unordered_map<int, dnnl::memory> arguments, const std::string& what,
                const char* kernel);
  // `source` into a new memory of `desc`: dst = scale · (src - source_zero) + target_zero.
  dnnl::memory reorder(const dnnl::memory& source, const dnnl::memory::desc& desc, float scale = 1.0f,
                       int32_t source_zero = 0, int32_t target_zero = 0, const std::string& what = "reorder");
  // `memory` itself when it already has `desc`, else a reordered copy.
  dnnl::memory in_layout(const dnnl::memory& memory, const dnnl::memory::desc& desc);
  // The float view of tensor `name` (dequantized on first use), and the u8 view with `quantization`.
  dnnl::memory fp32_of(const std::string& name);
  dnnl::memory quantized_of(const std::string& name, const Quantization& quantization);
  bool has_quantized(const std::string& name) { return bool(value(name).quantized); }
  // Post-ops for a fused activation on values in units of `unit` (1, or the output scale).
  dnnl::post_ops activation_post_ops(const Activation& activation, float unit);
  void count(bool int8) { ++(int8 ? network_.int8_operators : network_.fp32_operators); }

  // ---- simple nodes (onednn_network.cpp) ---------------------------------------------------------
  void map_node(const OnnxNode& node);
  void define_input();
  dnnl::memory finish_output(const std::string& name, size_t& size);
  void alias(const std::string& input, const std::string& output);
  void eltwise(const std::string& input, const std::string& output, dnnl::algorithm algorithm, float alpha,
               float beta);
  void hardsigmoid(const OnnxNode& node);
  void flatten(const OnnxNode& node);
  void softmax(const OnnxNode& node);
  void quantize(const OnnxNode& node);
  void dequantize(const OnnxNode& node);

  // ---- layers (onednn_layers.cpp) ----------------------------------------------------------------
  void convolution(const OnnxNode& node);
  void inner_product(const OnnxNode& node);
  void pooling(const OnnxNode& node);
  void global_average_pooling(const OnnxNode& node);
  // Average pooling of `input` into `output` (global when kernel = the whole plane), int8 when the
  // input is u8 and the output is read quantized.
  void average_pooling(const OnnxNode& node, const dnnl::memory::dims& kernel, const dnnl::memory::dims& strides,
                       const dnnl::memory::dims& pad_begin, const dnnl::memory::dims& pad_end,
                       const std::vector<int64_t>& output_dims, bool count_padding);
  void add(const OnnxNode& node);
  void batch_normalization(const OnnxNode& node);   // in fp32, not folded into a convolution
  void pad(const OnnxNode& node);                   // an all-zero Pad only
  void add_constant(const OnnxNode& node, const std::string& input_name, const std::string& constant_name);
  // A layer's output tensor with a new memory of `desc`: u8 with `quantization` when int8, else fp32.
  Tensor layer_output(const std::vector<int64_t>& dims, const dnnl::memory::desc& desc, bool int8,
                      const Quantization& quantization);
  // Output scales (input scale · weight scale / output scale per channel), the bias in accumulator
  // units (rescaled in place) and the zero points of an int8 convolution or inner product.
  void set_int8_attributes(const Quantization& input, const std::vector<float>& weight_scales,
                           const Quantization& output, std::vector<float>& bias, dnnl::primitive_attr& attributes,
                           std::unordered_map<int, dnnl::memory>& arguments);
  // On a CPU whose int8 kernels saturate (no VNNI), halves `weight`'s int8 values and doubles
  // `scales` (7-bit weights); elsewhere leaves them as they are.
  void fit_int8_weights(WeightSource& weight, std::vector<float>& scales) const;
  // Weights from `user` (a plain memory) reordered into `desc` once, under `key`.
  dnnl::memory weight_memory(const std::string& key, const dnnl::memory& user, const dnnl::memory::desc& desc);
  dnnl::memory float_memory(const dnnl::memory::dims& dims, dnnl::memory::format_tag tag,
                            const std::vector<float>& values);

  const OnnxModel& model_;
  OnnxGraphReader reader_;
  int batch_;
  dnnl::engine engine_;
  OnednnWeights& weights_;
  OutputLayout layout_;
  OnednnNetwork network_;
  std::map<std::string, Tensor> values_;
  bool int8_products_saturate_;
};

}  // namespace edgeloop::onednn_build
