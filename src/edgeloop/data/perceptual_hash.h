// Perceptual fingerprints for near-duplicate detection: the 64-bit difference hash (dHash) of an
// image to find candidates fast, and a 16×16 gray thumbnail to confirm them (dHash alone calls
// most small, plain images alike). Called by data stats. Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace edgeloop {

// Largest Hamming distance the candidate search covers exactly (4 blocks of 16 bits: two hashes
// within 3 bits agree on at least one whole block).
inline constexpr int kMaxNearDuplicateDistance = 3;
inline constexpr int kThumbnailSide = 16;  // pixels

struct ImageFingerprint {
  uint64_t difference_hash = 0;                                    // dHash: 9×8 gray, left < right per bit
  std::array<uint8_t, kThumbnailSide * kThumbnailSide> thumbnail{};  // gray, area-averaged, 0..255
};

ImageFingerprint image_fingerprint(const cv::Mat& image);  // 8-bit gray, BGR or BGRA

// Index pairs (i < j) whose dHashes are within `max_distance` bits (≤ kMaxNearDuplicateDistance)
// and whose thumbnails differ by at most `max_mean_difference` gray levels on average. At most
// `max_pairs` are returned.
std::vector<std::pair<size_t, size_t>> near_duplicate_pairs(const std::vector<ImageFingerprint>& fingerprints,
                                                            int max_distance, double max_mean_difference,
                                                            size_t max_pairs);

}  // namespace edgeloop
