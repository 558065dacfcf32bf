// ArchSpec: an architecture as data. family + width/depth multipliers + input shape + classes,
// expanded to a graph of layers. The one expansion feeds the LibTorch builder (models/), the ONNX
// writer (export/) and, through the ONNX file, the device engines, so they cannot disagree.
// No LibTorch here: the device side may read specs. Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/preprocess/pipeline.h"

namespace edgeloop {

// What a layer does. Batch norm is its own layer in training; the ONNX writer folds it into the
// convolution before it.
enum class LayerKind {
  kConv2d,             // groups == in_channels for depthwise
  kBatchNorm2d,
  kRelu,
  kRelu6,
  kHardSwish,
  kMaxPool2d,
  kAvgPool2d,
  kGlobalAvgPool,      // [N, C, H, W] → [N, C, 1, 1]
  kFlatten,            // [N, C, H, W] → [N, C*H*W]
  kLinear,
  kAdd,                // residual: sum of its two inputs
  kDropout,            // training only; identity in ONNX
};

// One node of the layer graph. Parameter tensors are named "<name>.weight", "<name>.bias",
// "<name>.running_mean", "<name>.running_var" (LibTorch's own names for these modules).
struct LayerSpec {
  LayerKind kind;
  std::string name;             // unique, e.g. "block2.conv1"
  std::vector<int> inputs;      // indices of earlier layers; -1 is the network input
  int block = 0;                // which block it belongs to (0 = stem); freezing counts blocks
  int in_channels = 0;          // conv, batch norm, linear (in features)
  int out_channels = 0;         // conv, linear (out features)
  int kernel = 1;               // conv and pools: square kernel
  int stride = 1;
  int padding = 0;
  int groups = 1;
  bool bias = true;             // conv, linear
  float dropout = 0.0f;
  // Shape after this layer for one image: [C, H, W] (H = W = 1 after flatten/linear).
  int out_c = 0, out_h = 0, out_w = 0;
};

struct ArchSpec {
  std::string family = "cnn-s";  // linear, mlp, cnn-s, cnn-m, cnn-l, mobilenet, resnet
  double width = 1.0;             // channel multiplier
  double depth = 1.0;             // block-count multiplier
  InputShape input;
  int classes = 10;

  // "cnn-m:w=0.5,d=2" → spec (input and classes filled by the caller). Throws Error naming the
  // family list on an unknown family.
  static ArchSpec parse(const std::string& text);
  std::string to_string() const;   // round-trips through parse()
  Json to_json() const;
  static ArchSpec from_json(const Json& json);

  // The layer graph. The last layer is the classifier (logits); embedding_layer() is the layer
  // whose output is the embedding (the input of the classifier). Softmax is not a layer: the
  // ONNX writer and engines add it as the `probabilities` output.
  std::vector<LayerSpec> expand() const;
  int64_t parameter_count() const;
  double mflops() const;           // multiply-adds × 2 per image, in millions
  int block_count() const;
};

// Multiply-adds × 2 of one layer for one image (convolutions and linear layers; 0 for the rest).
double layer_flops(const LayerSpec& layer);

// The ladder, smallest first: what `edgeloop models list` and `sweep` walk.
std::vector<std::string> architecture_ladder();
int embedding_layer_index(const std::vector<LayerSpec>& layers);

}  // namespace edgeloop
