// The architecture families of the ladder, each expanding an ArchSpec into its layer graph.
// Internal to models/ (arch_spec.cpp dispatches here). Naming: blocks are "block<b>.*" from 0 (the
// stem), then "head.*" (pooling, flatten, hidden layer), then the last layer "classifier".
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "edgeloop/models/arch_spec.h"

namespace edgeloop {

// Families ArchSpec::parse accepts: the ladder plus "cnn-ref", the reference CNN of the
// throughput benchmark (conv3x3-32, maxpool, conv3x3-64, maxpool, fc128, fc).
const std::vector<std::string>& known_families();

std::vector<LayerSpec> expand_family(const ArchSpec& spec);

}  // namespace edgeloop
