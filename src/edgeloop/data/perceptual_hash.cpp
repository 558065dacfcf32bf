#include "edgeloop/data/perceptual_hash.h"

#include <algorithm>
#include <bit>
#include <set>
#include <unordered_map>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {
constexpr int kHashColumns = 9;  // 8 differences per row
constexpr int kHashRows = 8;
constexpr int kBlocks = 4;
constexpr int kBlockBits = 16;
}  // namespace

uint64_t difference_hash(const cv::Mat& image) {
  cv::Mat gray = image;
  if (image.channels() == 3) cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  if (image.channels() == 4) cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
  cv::Mat small;
  cv::resize(gray, small, cv::Size(kHashColumns, kHashRows), 0, 0, cv::INTER_AREA);
  small.convertTo(small, CV_32F);
  uint64_t hash = 0;
  for (int row = 0; row < kHashRows; ++row) {
    for (int column = 0; column + 1 < kHashColumns; ++column) {
      hash = (hash << 1) | (small.at<float>(row, column) < small.at<float>(row, column + 1) ? 1u : 0u);
    }
  }
  return hash;
}

std::vector<std::pair<size_t, size_t>> near_duplicate_pairs(const std::vector<uint64_t>& hashes, int max_distance,
                                                            size_t max_pairs) {
  if (max_distance < 0 || max_distance > kMaxNearDuplicateDistance) {
    throw invalid_argument("near-duplicate distance must be 0.." + std::to_string(kMaxNearDuplicateDistance));
  }
  std::set<std::pair<size_t, size_t>> pairs;
  for (int block = 0; block < kBlocks && pairs.size() < max_pairs; ++block) {
    std::unordered_map<uint16_t, std::vector<size_t>> buckets;
    for (size_t index = 0; index < hashes.size(); ++index) {
      buckets[static_cast<uint16_t>(hashes[index] >> (block * kBlockBits))].push_back(index);
    }
    for (const auto& [value, members] : buckets) {
      for (size_t first = 0; first < members.size() && pairs.size() < max_pairs; ++first) {
        for (size_t second = first + 1; second < members.size(); ++second) {
          if (std::popcount(hashes[members[first]] ^ hashes[members[second]]) <= max_distance) {
            pairs.emplace(members[first], members[second]);
            if (pairs.size() >= max_pairs) break;
          }
        }
      }
    }
  }
  return {pairs.begin(), pairs.end()};
}

}  // namespace edgeloop
