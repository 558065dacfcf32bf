// Hand-made layer graphs and seeded random weights for the export tests, so the writer is tested
// on every layer kind even without a trained model.
#pragma once

#include <cstdint>
#include <vector>

#include "edgeloop/models/arch_spec.h"
#include "edgeloop/models/weights.h"

namespace edgeloop::testing {

// conv+bn+relu → maxpool → conv(no bias)+bn+relu6 → avgpool(pad 1) → flatten → linear → relu → dropout → linear
std::vector<LayerSpec> small_cnn_layers(const InputShape& input);
// stem conv+bn+hardswish → depthwise conv+bn+relu6 → pointwise conv+bn → add (residual) → GAP → flatten → linear
std::vector<LayerSpec> small_mobile_layers(const InputShape& input);
// Random parameters for every layer (positive running variances), fixed by `seed`.
WeightMap random_weights(const std::vector<LayerSpec>& layers, uint32_t seed);
// A seeded random batch [batch, C, H, W] in 0..1.
NamedTensor random_images(const InputShape& input, int batch, uint32_t seed);

}  // namespace edgeloop::testing
