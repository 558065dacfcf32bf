// Perceptual hashing for near-duplicate detection: the 64-bit difference hash (dHash) of an image,
// and the pairs of hashes within a Hamming distance. Called by data stats. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace edgeloop {

// Largest Hamming distance near_duplicate_pairs can search exactly (4 blocks of 16 bits: two
// hashes within 3 bits agree on at least one whole block).
inline constexpr int kMaxNearDuplicateDistance = 3;

// dHash: the gray image shrunk to 9×8, one bit per horizontal neighbour pair (left < right).
uint64_t difference_hash(const cv::Mat& image);

// Index pairs (i < j) of `hashes` whose Hamming distance is at most `max_distance`
// (≤ kMaxNearDuplicateDistance), excluding identical indices. At most `max_pairs` are returned.
std::vector<std::pair<size_t, size_t>> near_duplicate_pairs(const std::vector<uint64_t>& hashes, int max_distance,
                                                            size_t max_pairs);

}  // namespace edgeloop
