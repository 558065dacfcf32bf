// A real bundle with seeded random weights, for tests and benchmarks that need the whole device
// path (bundle.json with hashes, fp32 and int8 ONNX, preprocessing, drift reference) without a
// trained model: the ArchSpec ladder through export's ONNX writer and int8 quantizer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace edgeloop::testing {

struct RandomBundleOptions {
  std::string family = "cnn-s";       // ArchSpec family from the ladder
  std::string model_id = "random-cnn-s";
  int classes = 10;
  int image_size = 28;                // gray, square
  uint32_t seed = 7;                  // weights
  bool int8 = true;                   // also write model.int8.onnx (calibrated on `reference_images`)
};

// Writes bundle.json, model.onnx (and model.int8.onnx) into `directory`; the drift reference is
// measured on `reference_images` (8-bit gray, any size) through the bundle's own preprocessing.
void write_random_bundle(const std::filesystem::path& directory, const RandomBundleOptions& options,
                         const std::vector<cv::Mat>& reference_images);

// Textured gray images (random blocks), seeded.
std::vector<cv::Mat> random_gray_images(int count, int size, uint32_t seed);

}  // namespace edgeloop::testing
