#include "edgeloop/data/perceptual_hash.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
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

cv::Mat gray_of(const cv::Mat& image) {
  cv::Mat gray = image;
  if (image.channels() == 3) cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  if (image.channels() == 4) cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
  if (gray.depth() != CV_8U) gray.convertTo(gray, CV_8U, gray.depth() == CV_16U ? 1.0 / 257 : 255.0);
  return gray;
}

double mean_difference(const ImageFingerprint& first, const ImageFingerprint& second) {
  int total = 0;
  for (size_t index = 0; index < first.thumbnail.size(); ++index) total += std::abs(first.thumbnail[index] - second.thumbnail[index]);
  return static_cast<double>(total) / static_cast<double>(first.thumbnail.size());
}

}  // namespace

ImageFingerprint image_fingerprint(const cv::Mat& image) {
  const cv::Mat gray = gray_of(image);
  ImageFingerprint fingerprint;
  cv::Mat small;
  cv::resize(gray, small, cv::Size(kHashColumns, kHashRows), 0, 0, cv::INTER_AREA);
  for (int row = 0; row < kHashRows; ++row) {
    for (int column = 0; column + 1 < kHashColumns; ++column) {
      fingerprint.difference_hash = (fingerprint.difference_hash << 1) |
                                    (small.at<uint8_t>(row, column) < small.at<uint8_t>(row, column + 1) ? 1u : 0u);
    }
  }
  cv::Mat thumbnail(kThumbnailSide, kThumbnailSide, CV_8UC1, fingerprint.thumbnail.data());
  cv::resize(gray, thumbnail, thumbnail.size(), 0, 0, cv::INTER_AREA);
  return fingerprint;
}

std::vector<std::pair<size_t, size_t>> near_duplicate_pairs(const std::vector<ImageFingerprint>& fingerprints,
                                                            int max_distance, double max_mean_difference,
                                                            size_t max_pairs) {
  if (max_distance < 0 || max_distance > kMaxNearDuplicateDistance) {
    throw invalid_argument("near-duplicate distance must be 0.." + std::to_string(kMaxNearDuplicateDistance));
  }
  std::set<std::pair<size_t, size_t>> pairs;
  for (int block = 0; block < kBlocks && pairs.size() < max_pairs; ++block) {
    std::unordered_map<uint16_t, std::vector<size_t>> buckets;
    for (size_t index = 0; index < fingerprints.size(); ++index) {
      buckets[static_cast<uint16_t>(fingerprints[index].difference_hash >> (block * kBlockBits))].push_back(index);
    }
    for (const auto& [value, members] : buckets) {
      for (size_t first = 0; first < members.size() && pairs.size() < max_pairs; ++first) {
        const ImageFingerprint& left = fingerprints[members[first]];
        for (size_t second = first + 1; second < members.size(); ++second) {
          const ImageFingerprint& right = fingerprints[members[second]];
          if (std::popcount(left.difference_hash ^ right.difference_hash) > max_distance) continue;
          if (mean_difference(left, right) > max_mean_difference) continue;
          pairs.emplace(members[first], members[second]);
        }
      }
    }
  }
  return {pairs.begin(), pairs.end()};
}

}  // namespace edgeloop
