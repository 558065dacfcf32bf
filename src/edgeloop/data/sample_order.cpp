#include "edgeloop/data/sample_order.h"

#include <algorithm>

#include "edgeloop/core/hash.h"

namespace edgeloop {

namespace {
constexpr int kKeyHexDigits = 16;  // 64 bits
constexpr int kHexBase = 16;
}  // namespace

uint64_t sample_key(const std::string& object_hash, uint64_t seed) {
  const std::string digest = sha256_hex(std::to_string(seed) + ":" + object_hash);
  return std::stoull(digest.substr(0, kKeyHexDigits), nullptr, kHexBase);
}

std::vector<size_t> samples_in_key_order(const std::vector<Sample>& samples, const std::vector<size_t>& indices,
                                         uint64_t seed) {
  std::vector<std::pair<uint64_t, size_t>> keyed;
  keyed.reserve(indices.size());
  for (size_t index : indices) keyed.emplace_back(sample_key(samples[index].object_hash, seed), index);
  std::sort(keyed.begin(), keyed.end(), [&](const auto& left, const auto& right) {
    if (left.first != right.first) return left.first < right.first;
    return samples[left.second].object_hash < samples[right.second].object_hash;
  });
  std::vector<size_t> ordered;
  ordered.reserve(keyed.size());
  for (const auto& entry : keyed) ordered.push_back(entry.second);
  return ordered;
}

}  // namespace edgeloop
