// WeightMap: trained parameters as plain float arrays keyed by parameter name (LayerSpec names,
// "<layer>.weight" ...), so that export/ and the engines handle weights without LibTorch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace edgeloop {

struct NamedTensor {
  std::vector<int64_t> shape;   // LibTorch layout: conv [out, in/groups, kh, kw], linear [out, in]
  std::vector<float> values;    // row-major
};

using WeightMap = std::map<std::string, NamedTensor>;

}  // namespace edgeloop
