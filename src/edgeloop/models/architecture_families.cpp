#include "edgeloop/models/architecture_families.h"

#include <algorithm>
#include <cmath>

#include "edgeloop/core/error.h"
#include "edgeloop/models/layer_graph_builder.h"

namespace edgeloop {

namespace {

constexpr int kMinimumChannels = 4;        // a width multiplier never shrinks a layer below this
constexpr int kPoolSize = 2;               // 2×2 max pooling, stride 2
constexpr int kConvKernel = 3;
constexpr int kSamePadding = 1;            // for 3×3 kernels at stride 1
constexpr float kHeadDropout = 0.3f;       // before the classifier of the flatten-head CNNs

int scaled_channels(const ArchSpec& spec, int channels) {
  return std::max(kMinimumChannels, static_cast<int>(std::lround(channels * spec.width)));
}

int scaled_repeats(const ArchSpec& spec, int repeats) {
  return std::max(1, static_cast<int>(std::lround(repeats * spec.depth)));
}

std::string block_name(int block, const std::string& layer) { return "block" + std::to_string(block) + "." + layer; }

// Conv → BatchNorm → activation, the unit most families repeat.
int conv_bn_act(LayerGraphBuilder& graph, const std::string& prefix, int out_channels, int kernel, int stride,
                LayerKind activation, int from = LayerGraphBuilder::kPrevious, int groups = 1) {
  graph.conv(prefix + "conv", out_channels, kernel, stride, kernel / 2, /*bias=*/false, from, groups);
  graph.batch_norm(prefix + "bn");
  return graph.activation(activation, prefix + (activation == LayerKind::kRelu6 ? "relu6" : "relu"));
}

// head: [pool →] flatten [→ fc → relu → dropout], then the classifier in its own block.
void add_head(LayerGraphBuilder& graph, const ArchSpec& spec, bool global_pool, int hidden) {
  graph.set_block(graph.block() + 1);
  if (global_pool) graph.global_avg_pool("head.pool");
  graph.flatten("head.flatten");
  if (hidden > 0) {
    graph.linear("head.fc", hidden);
    graph.activation(LayerKind::kRelu, "head.relu");
    graph.dropout("head.dropout", kHeadDropout);
  }
  graph.set_block(graph.block() + 1);
  graph.linear("classifier", spec.classes);
}

std::vector<LayerSpec> expand_linear(const ArchSpec& spec) {
  LayerGraphBuilder graph(spec.input);
  graph.flatten("block0.flatten");
  graph.set_block(1);
  graph.linear("classifier", spec.classes);
  return graph.take();
}

std::vector<LayerSpec> expand_mlp(const ArchSpec& spec) {
  constexpr int kHiddenLayers = 2;
  constexpr int kFirstHidden = 256;
  constexpr int kLaterHidden = 128;
  LayerGraphBuilder graph(spec.input);
  graph.flatten("block0.flatten");
  const int hidden_layers = scaled_repeats(spec, kHiddenLayers);
  for (int layer = 1; layer <= hidden_layers; ++layer) {
    graph.set_block(layer);
    graph.linear(block_name(layer, "fc"), scaled_channels(spec, layer == 1 ? kFirstHidden : kLaterHidden));
    graph.activation(LayerKind::kRelu, block_name(layer, "relu"));
  }
  graph.set_block(hidden_layers + 1);
  graph.linear("classifier", spec.classes);
  return graph.take();
}

// Plain CNNs: stages of 3×3 conv-BN-ReLU, 2×2 max pooling after every stage but the last
// (or every stage when the head flattens), then the head.
struct PlainCnnShape {
  std::vector<int> stage_channels;
  std::vector<int> convs_per_stage;
  bool global_pool;      // GAP head (small) or flatten head (keeps the spatial layout)
  int hidden;            // hidden fc width in the head; 0 = none
};

std::vector<LayerSpec> expand_plain_cnn(const ArchSpec& spec, const PlainCnnShape& shape) {
  LayerGraphBuilder graph(spec.input);
  const int stages = static_cast<int>(shape.stage_channels.size());
  for (int stage = 0; stage < stages; ++stage) {
    graph.set_block(stage);
    const int convs = scaled_repeats(spec, shape.convs_per_stage[stage]);
    for (int conv = 1; conv <= convs; ++conv) {
      conv_bn_act(graph, block_name(stage, std::to_string(conv) + "."), scaled_channels(spec, shape.stage_channels[stage]),
                  kConvKernel, /*stride=*/1, LayerKind::kRelu);
    }
    const bool last_stage = stage == stages - 1;
    if (!last_stage || !shape.global_pool) graph.max_pool(block_name(stage, "pool"), kPoolSize, kPoolSize);
  }
  const int hidden = shape.hidden > 0 ? scaled_channels(spec, shape.hidden) : 0;
  add_head(graph, spec, shape.global_pool, hidden);
  return graph.take();
}

// The throughput benchmark's reference CNN, exactly: no batch norm, biases, ReLU, fc128.
std::vector<LayerSpec> expand_reference_cnn(const ArchSpec& spec) {
  constexpr int kFirstChannels = 32;
  constexpr int kSecondChannels = 64;
  constexpr int kHidden = 128;
  LayerGraphBuilder graph(spec.input);
  graph.conv("block0.conv", scaled_channels(spec, kFirstChannels), kConvKernel, 1, kSamePadding, /*bias=*/true);
  graph.activation(LayerKind::kRelu, "block0.relu");
  graph.max_pool("block0.pool", kPoolSize, kPoolSize);
  graph.set_block(1);
  graph.conv("block1.conv", scaled_channels(spec, kSecondChannels), kConvKernel, 1, kSamePadding, /*bias=*/true);
  graph.activation(LayerKind::kRelu, "block1.relu");
  graph.max_pool("block1.pool", kPoolSize, kPoolSize);
  graph.set_block(2);
  graph.flatten("head.flatten");
  graph.linear("head.fc", scaled_channels(spec, kHidden));
  graph.activation(LayerKind::kRelu, "head.relu");
  graph.set_block(3);
  graph.linear("classifier", spec.classes);
  return graph.take();
}

// MobileNet (v1 style): a 3×3 stem, then depthwise-separable blocks (3×3 depthwise conv-BN-ReLU6,
// 1×1 pointwise conv-BN-ReLU6); the depth multiplier repeats the stride-1 blocks.
std::vector<LayerSpec> expand_mobilenet(const ArchSpec& spec) {
  struct SeparableBlock {
    int channels;
    int stride;
  };
  constexpr int kStemChannels = 32;
  const std::vector<SeparableBlock> blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}};
  LayerGraphBuilder graph(spec.input);
  conv_bn_act(graph, "block0.", scaled_channels(spec, kStemChannels), kConvKernel, 1, LayerKind::kRelu6);
  int block = 0;
  for (const SeparableBlock& separable : blocks) {
    const int repeats = separable.stride == 1 ? scaled_repeats(spec, 1) : 1;
    for (int repeat = 0; repeat < repeats; ++repeat) {
      graph.set_block(++block);
      const int in_channels = graph.channels_of(graph.last());
      const std::string prefix = "block" + std::to_string(block) + ".";
      conv_bn_act(graph, prefix + "dw_", in_channels, kConvKernel, separable.stride, LayerKind::kRelu6,
                  LayerGraphBuilder::kPrevious, /*groups=*/in_channels);
      conv_bn_act(graph, prefix + "pw_", scaled_channels(spec, separable.channels), 1, 1, LayerKind::kRelu6);
    }
  }
  add_head(graph, spec, /*global_pool=*/true, /*hidden=*/0);
  return graph.take();
}

// ResNet (CIFAR style, small): a 3×3 stem, three stages of basic blocks (conv-BN-ReLU-conv-BN,
// plus the shortcut, then ReLU), stride 2 and a 1×1 projection where a stage widens.
std::vector<LayerSpec> expand_resnet(const ArchSpec& spec) {
  const std::vector<int> stage_channels = {16, 32, 64};
  constexpr int kBlocksPerStage = 1;
  LayerGraphBuilder graph(spec.input);
  conv_bn_act(graph, "block0.", scaled_channels(spec, stage_channels[0]), kConvKernel, 1, LayerKind::kRelu);
  int block = 0;
  for (size_t stage = 0; stage < stage_channels.size(); ++stage) {
    const int channels = scaled_channels(spec, stage_channels[stage]);
    const int repeats = scaled_repeats(spec, kBlocksPerStage);
    for (int repeat = 0; repeat < repeats; ++repeat) {
      graph.set_block(++block);
      const std::string prefix = "block" + std::to_string(block) + ".";
      const int block_input = graph.last();
      const int stride = (stage > 0 && repeat == 0) ? 2 : 1;
      graph.conv(prefix + "conv1", channels, kConvKernel, stride, kSamePadding, /*bias=*/false, block_input);
      graph.batch_norm(prefix + "bn1");
      graph.activation(LayerKind::kRelu, prefix + "relu1");
      graph.conv(prefix + "conv2", channels, kConvKernel, 1, kSamePadding, /*bias=*/false);
      const int residual = graph.batch_norm(prefix + "bn2");
      int shortcut = block_input;
      if (stride != 1 || graph.channels_of(block_input) != channels) {
        graph.conv(prefix + "shortcut_conv", channels, 1, stride, 0, /*bias=*/false, block_input);
        shortcut = graph.batch_norm(prefix + "shortcut_bn");
      }
      graph.add(prefix + "add", residual, shortcut);
      graph.activation(LayerKind::kRelu, prefix + "relu2");
    }
  }
  add_head(graph, spec, /*global_pool=*/true, /*hidden=*/0);
  return graph.take();
}

}  // namespace

const std::vector<std::string>& known_families() {
  static const std::vector<std::string> families = {"linear", "mlp",       "cnn-s",  "cnn-m",
                                                    "cnn-l",  "mobilenet", "resnet", "cnn-ref"};
  return families;
}

std::vector<LayerSpec> expand_family(const ArchSpec& spec) {
  if (spec.family == "linear") return expand_linear(spec);
  if (spec.family == "mlp") return expand_mlp(spec);
  if (spec.family == "cnn-s") return expand_plain_cnn(spec, {{16, 32, 64}, {1, 1, 1}, true, 0});
  if (spec.family == "cnn-m") return expand_plain_cnn(spec, {{32, 64}, {2, 2}, false, 128});
  if (spec.family == "cnn-l") return expand_plain_cnn(spec, {{64, 128}, {2, 2}, false, 128});
  if (spec.family == "mobilenet") return expand_mobilenet(spec);
  if (spec.family == "resnet") return expand_resnet(spec);
  if (spec.family == "cnn-ref") return expand_reference_cnn(spec);
  throw invalid_argument("unknown architecture family '" + spec.family +
                         "': use one of linear, mlp, cnn-s, cnn-m, cnn-l, mobilenet, resnet, cnn-ref");
}

}  // namespace edgeloop
