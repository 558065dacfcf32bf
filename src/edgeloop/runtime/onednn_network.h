// OnednnNetwork: an ONNX model (fp32, or int8 QDQ) as a list of oneDNN primitives for one batch
// size: convolutions (grouped, depthwise), inner products, pooling, binary adds, softmax, with the
// activations fused as post-ops and int8 activations kept as u8 between layers (real = scale ·
// (q - zero point)). Layouts are the ones the primitives pick (format_tag::any); weights are
// reordered once into them and shared by the networks of every batch size (OnednnWeights).
// Built by onednn_engine.cpp only; not thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <dnnl.hpp>

#include "edgeloop/runtime/onnx_model.h"

namespace edgeloop {

// Weights in the layouts the primitives chose, by key; kept while any network uses them.
class OnednnWeights {
 public:
  const dnnl::memory* find(const std::string& key) const;
  const dnnl::memory& keep(const std::string& key, dnnl::memory memory);
  size_t count() const { return memories_.size(); }

 private:
  std::map<std::string, dnnl::memory> memories_;
};

// One primitive with its arguments, and what it is for the per-operator report.
struct OnednnStep {
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> arguments;
  std::string label;    // "<ONNX node name> <op> <data type>"
  std::string kernel;   // oneDNN's implementation name (primitive_desc::impl_info_str)
};

struct OnednnNetwork {
  std::vector<OnednnStep> steps;
  dnnl::memory input;            // [N, C, H, W] float in NHWC order: Engine::infer's input, handle set per call
  dnnl::memory probabilities;    // [N, classes] float, plain
  dnnl::memory embedding;        // [N, features] float, plain; empty when the model has no embedding
  size_t input_size = 0;         // floats per image
  size_t probabilities_size = 0;
  size_t embedding_size = 0;
  bool quantized = false;        // at least one int8 operator
  int int8_operators = 0;        // convolutions, inner products, adds, pools in int8
  int fp32_operators = 0;        // the same in fp32
  int conversions = 0;           // reorders between u8 and fp32
};

// Throws Error(kUnsupported) "<file>: node '<name>' op <Op>: ... (the onednn engine cannot map it;
// use the xnnpack engine)" for a node it cannot map.
OnednnNetwork build_onednn_network(const OnnxModel& model, int batch, const dnnl::engine& engine,
                                   OnednnWeights& weights);

}  // namespace edgeloop
