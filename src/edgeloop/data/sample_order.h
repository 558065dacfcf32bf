// The seeded, content-derived order that split and balance draw samples in: a sample's key is a
// function of its object hash and the seed only, so the order of the old samples never changes
// when data is added. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

// 64 bits of sha256("<seed>:<object hash>").
uint64_t sample_key(const std::string& object_hash, uint64_t seed);

// Indices of `samples` sorted by sample_key (ties, impossible in practice, by hash).
std::vector<size_t> samples_in_key_order(const std::vector<Sample>& samples, const std::vector<size_t>& indices,
                                         uint64_t seed);

}  // namespace edgeloop
