// Seeded random weights for a layer graph (PyTorch-like init ranges, trained-looking batch-norm
// statistics), so the bench programs can write ladder models with export/'s writer without a
// trained model. Bench only.
#pragma once

#include <cstdint>
#include <vector>

#include "edgeloop/models/arch_spec.h"
#include "edgeloop/models/weights.h"

namespace edgeloop::bench {

WeightMap seeded_weights(const std::vector<LayerSpec>& layers, uint64_t seed = 7);

}  // namespace edgeloop::bench
