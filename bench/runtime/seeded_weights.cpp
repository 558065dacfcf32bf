#include "runtime/seeded_weights.h"

#include <cmath>
#include <string>

#include <opencv2/core.hpp>

namespace edgeloop::bench {

WeightMap seeded_weights(const std::vector<LayerSpec>& layers, uint64_t seed) {
  cv::RNG random(seed);
  WeightMap weights;
  for (const LayerSpec& layer : layers) {
    auto add = [&](const std::string& name, std::vector<int64_t> shape, float low, float high) {
      NamedTensor tensor{shape, {}};
      int64_t count = 1;
      for (int64_t dimension : shape) count *= dimension;
      tensor.values.resize(size_t(count));
      for (float& value : tensor.values) value = random.uniform(low, high);
      weights[layer.name + name] = tensor;
    };
    if (layer.kind == LayerKind::kConv2d) {
      float bound = 1.0f / std::sqrt(float(layer.in_channels / layer.groups * layer.kernel * layer.kernel));
      add(".weight", {layer.out_channels, layer.in_channels / layer.groups, layer.kernel, layer.kernel}, -bound, bound);
      if (layer.bias) add(".bias", {layer.out_channels}, -bound, bound);
    } else if (layer.kind == LayerKind::kLinear) {
      float bound = 1.0f / std::sqrt(float(layer.in_channels));
      add(".weight", {layer.out_channels, layer.in_channels}, -bound, bound);
      if (layer.bias) add(".bias", {layer.out_channels}, -bound, bound);
    } else if (layer.kind == LayerKind::kBatchNorm2d) {
      add(".weight", {layer.in_channels}, 0.5f, 1.5f);
      add(".bias", {layer.in_channels}, -0.1f, 0.1f);
      add(".running_mean", {layer.in_channels}, -0.1f, 0.1f);
      add(".running_var", {layer.in_channels}, 0.5f, 1.5f);
    }
  }
  return weights;
}

}  // namespace edgeloop::bench
