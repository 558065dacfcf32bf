// IDX files (the MNIST / Fashion-MNIST format), gzipped or raw: an images file (magic 0x00000803,
// [count, rows, columns] uint8) and its labels file (magic 0x00000801, [count] uint8). Called by
// the IDX importer. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace edgeloop {

struct IdxImages {
  int64_t count = 0;
  int rows = 0;
  int columns = 0;
  std::vector<uint8_t> pixels;  // [count, rows, columns], row-major, 0..255
};

// Throw Error(kCorrupt) naming the file when the magic is wrong or the file is shorter than its
// header says ("holds 59,000 of the 60,000 images it declares").
IdxImages read_idx_images(const std::filesystem::path& path);
std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path);

}  // namespace edgeloop
