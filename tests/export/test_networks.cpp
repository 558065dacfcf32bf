#include "export/test_networks.h"

#include <random>

#include "edgeloop/models/layer_graph_builder.h"

namespace edgeloop::testing {

std::vector<LayerSpec> small_cnn_layers(const InputShape& input) {
  LayerGraphBuilder graph(input);
  graph.conv("conv1", /*out_channels=*/4, /*kernel=*/3, /*stride=*/1, /*padding=*/1, /*bias=*/true);
  graph.batch_norm("bn1");
  graph.activation(LayerKind::kRelu, "relu1");
  graph.max_pool("pool1", /*kernel=*/2, /*stride=*/2);
  graph.conv("conv2", 6, 3, 1, 1, /*bias=*/false);
  graph.batch_norm("bn2");
  const int relu6 = graph.activation(LayerKind::kRelu6, "relu2");
  std::vector<LayerSpec> layers = graph.take();
  // The ladder has no AvgPool2d; this one (3×3, stride 2, padding 1) covers the padded form.
  LayerSpec pool = layers[relu6];
  pool.kind = LayerKind::kAvgPool2d;
  pool.name = "pool2";
  pool.inputs = {relu6};
  pool.kernel = 3;
  pool.stride = 2;
  pool.padding = 1;
  pool.out_h = (pool.out_h - 1) / 2 + 1;
  pool.out_w = (pool.out_w - 1) / 2 + 1;
  layers.push_back(pool);
  const int features = pool.out_c * pool.out_h * pool.out_w;
  LayerSpec flatten{.kind = LayerKind::kFlatten, .name = "flatten", .inputs = {relu6 + 1}, .out_c = features, .out_h = 1, .out_w = 1};
  layers.push_back(flatten);
  LayerSpec hidden{.kind = LayerKind::kLinear, .name = "fc1", .inputs = {relu6 + 2}, .in_channels = features,
                   .out_channels = 12, .out_c = 12, .out_h = 1, .out_w = 1};
  layers.push_back(hidden);
  LayerSpec relu{.kind = LayerKind::kRelu, .name = "fc1.relu", .inputs = {relu6 + 3}, .out_c = 12, .out_h = 1, .out_w = 1};
  layers.push_back(relu);
  LayerSpec dropout{.kind = LayerKind::kDropout, .name = "dropout", .inputs = {relu6 + 4}, .dropout = 0.5f,
                    .out_c = 12, .out_h = 1, .out_w = 1};
  layers.push_back(dropout);
  LayerSpec classifier{.kind = LayerKind::kLinear, .name = "classifier", .inputs = {relu6 + 5}, .in_channels = 12,
                       .out_channels = 5, .out_c = 5, .out_h = 1, .out_w = 1};
  layers.push_back(classifier);
  return layers;
}

std::vector<LayerSpec> small_mobile_layers(const InputShape& input) {
  LayerGraphBuilder graph(input);
  graph.conv("stem", 8, 3, /*stride=*/2, 1, false);
  graph.batch_norm("stem.bn");
  const int stem = graph.activation(LayerKind::kHardSwish, "stem.act");
  graph.conv("dw", 8, 3, 1, 1, false, LayerGraphBuilder::kPrevious, /*groups=*/8);
  graph.batch_norm("dw.bn");
  graph.activation(LayerKind::kRelu6, "dw.act");
  graph.conv("pw", 8, 1, 1, 0, false);
  const int projected = graph.batch_norm("pw.bn");
  graph.add("residual", projected, stem);
  graph.global_avg_pool("gap");
  graph.flatten("flatten");
  graph.linear("classifier", 4);
  return graph.take();
}

WeightMap random_weights(const std::vector<LayerSpec>& layers, uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> symmetric(-0.5f, 0.5f);
  std::uniform_real_distribution<float> positive(0.5f, 1.5f);
  auto fill = [&](std::vector<int64_t> shape, bool is_positive) {
    NamedTensor tensor{shape, {}};
    int64_t count = 1;
    for (int64_t dimension : shape) count *= dimension;
    for (int64_t index = 0; index < count; ++index) tensor.values.push_back(is_positive ? positive(generator) : symmetric(generator));
    return tensor;
  };
  WeightMap weights;
  for (const LayerSpec& layer : layers) {
    if (layer.kind == LayerKind::kConv2d) {
      weights[layer.name + ".weight"] = fill({layer.out_channels, layer.in_channels / layer.groups, layer.kernel, layer.kernel}, false);
      if (layer.bias) weights[layer.name + ".bias"] = fill({layer.out_channels}, false);
    } else if (layer.kind == LayerKind::kLinear) {
      weights[layer.name + ".weight"] = fill({layer.out_channels, layer.in_channels}, false);
      if (layer.bias) weights[layer.name + ".bias"] = fill({layer.out_channels}, false);
    } else if (layer.kind == LayerKind::kBatchNorm2d) {
      weights[layer.name + ".weight"] = fill({layer.in_channels}, true);
      weights[layer.name + ".bias"] = fill({layer.in_channels}, false);
      weights[layer.name + ".running_mean"] = fill({layer.in_channels}, false);
      weights[layer.name + ".running_var"] = fill({layer.in_channels}, true);
    }
  }
  return weights;
}

NamedTensor random_images(const InputShape& input, int batch, uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  NamedTensor images{{batch, input.channels, input.height, input.width}, {}};
  for (int64_t index = 0; index < int64_t{batch} * input.channels * input.height * input.width; ++index) {
    images.values.push_back(pixel(generator));
  }
  return images;
}

}  // namespace edgeloop::testing
