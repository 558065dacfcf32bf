// write_random_bundle: a real bundle with seeded random weights (fp32 and int8 ONNX, reference
// statistics) and a folder of PNG frames, for the device reliability scenarios
// (bench/reliability/device/), which need the whole device path but no trained model.
//   write_random_bundle BUNDLE_DIR IMAGES_DIR [FRAMES]
#include <cstdio>
#include <string>

#include <opencv2/imgcodecs.hpp>

#include "edged/random_bundle.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: write_random_bundle BUNDLE_DIR IMAGES_DIR [FRAMES]\n");
    return 2;
  }
  const int frames = argc > 3 ? std::stoi(argv[3]) : 20;
  const std::vector<cv::Mat> images = edgeloop::testing::random_gray_images(std::max(frames, 40), 28, /*seed=*/11);
  edgeloop::testing::write_random_bundle(argv[1], {}, images);
  std::filesystem::create_directories(argv[2]);
  for (int index = 0; index < frames; ++index) {
    char name[32];
    std::snprintf(name, sizeof(name), "frame_%04d.png", index);
    cv::imwrite((std::filesystem::path(argv[2]) / name).string(), images[static_cast<size_t>(index)]);
  }
  return 0;
}
