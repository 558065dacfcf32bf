// write_ladder_onnx: the ladder's architectures as export/'s writer and quantizer write them
// (model.onnx form and QDQ model.int8.onnx form), with seeded random weights, so engine_vs_peers
// measures the very graphs a bundle holds. Bench only.
//
// Usage: write_ladder_onnx OUT_DIR [--families cnn-m,mobilenet,resnet] [--channels 1] [--size 28]
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/export/int8_quantizer.h"
#include "edgeloop/export/onnx_writer.h"
#include "runtime/seeded_weights.h"

int main(int argc, char** argv) {
  using namespace edgeloop;
  constexpr int kCalibrationImages = 32;
  if (argc < 2) {
    std::fprintf(stderr, "usage: write_ladder_onnx OUT_DIR [--families a,b] [--channels C] [--size S]\n");
    return 2;
  }
  std::filesystem::path out = argv[1];
  std::string families = "cnn-m,mobilenet,resnet";
  int channels = 1, size = 28;
  for (int index = 2; index + 1 < argc; index += 2) {
    std::string flag = argv[index];
    if (flag == "--families") families = argv[index + 1];
    if (flag == "--channels") channels = std::stoi(argv[index + 1]);
    if (flag == "--size") size = std::stoi(argv[index + 1]);
  }
  try {
    std::filesystem::create_directories(out);
    std::stringstream list(families);
    for (std::string family; std::getline(list, family, ',');) {
      ArchSpec arch = ArchSpec::parse(family);
      arch.input = InputShape{channels, size, size};
      arch.classes = 10;
      std::vector<LayerSpec> layers = arch.expand();
      onnx::ModelProto fp32 = build_onnx_model(layers, arch.input, bench::seeded_weights(layers));
      save_onnx_model(fp32, out / (family + ".onnx"));
      NamedTensor images{{kCalibrationImages, channels, size, size},
                         std::vector<float>(size_t(kCalibrationImages) * size_t(channels * size * size))};
      cv::RNG random(3);
      for (float& value : images.values) value = random.uniform(0.0f, 1.0f);
      save_onnx_model(quantize_to_qdq(fp32, calibrate_activation_ranges(fp32, {images})), out / (family + ".int8.onnx"));
      std::printf("%s\n", (out / (family + ".onnx")).c_str());
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "write_ladder_onnx: %s\n", error.what());
    return 1;
  }
  return 0;
}
