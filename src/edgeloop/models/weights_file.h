// The weights file of a stored model: a WeightMap as safetensors (an 8-byte little-endian header
// length, a JSON header {name: {dtype "F32", shape, data_offsets}}, then the raw float32 data), a
// format Python's `safetensors` and other tools read. LibTorch-free, so export/ and the device can
// read weights. Writes are atomic. Thread-safe (no shared state).
#pragma once

#include <filesystem>

#include "edgeloop/models/weights.h"

namespace edgeloop {

void write_weights_file(const std::filesystem::path& path, const WeightMap& weights);
// Throws Error(kCorrupt) naming the file on a truncated or malformed file, Error(kNotFound) when absent.
WeightMap read_weights_file(const std::filesystem::path& path);

int64_t element_count(const NamedTensor& tensor);   // product of the shape

}  // namespace edgeloop
