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

// The header is checked before anything is allocated: images over `max_megapixels` (the importer's
// --max-megapixels) are refused with Error(kInvalidArgument), and a declared size the file cannot
// hold (count × rows × columns bytes past its size, or past what gzip can expand it to) with
// Error(kCorrupt) ("holds 59,000 of the 60,000 images it declares"), both naming the file. Memory
// then grows only as data is actually read, so a lying gzip header costs no more than its content.
// Also Error(kCorrupt) when the magic is wrong or the file ends early.
IdxImages read_idx_images(const std::filesystem::path& path, double max_megapixels);
std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path);

}  // namespace edgeloop
