// bundle_first_inference: time from "here is a bundle folder" to the first answer on the device
// path: load_bundle (reads bundle.json, verifies every sha256), build the xnnpack engine (parse ONNX,
// repack weights, create the XNNPACK runtime), preprocess one image, infer. Issue 8's target:
// ≤ 50 ms for cnn-m. The bundle is written here from the ladder's cnn-m with seeded random weights
// (export/'s writer and quantizer), so the figure does not depend on a trained model's values.
//
// Usage: bundle_first_inference [--family cnn-m] [--repeats 20] [--int8]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/export/int8_quantizer.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/models/arch_spec.h"
#include "edgeloop/runtime/engine.h"
#include "runtime/seeded_weights.h"

namespace {

using namespace edgeloop;

constexpr double kTargetMs = 50.0;
constexpr int kCalibrationImages = 32;

}  // namespace

int main(int argc, char** argv) {
  std::string family = "cnn-m";
  int repeats = 20;
  bool int8 = false;
  for (int index = 1; index < argc; ++index) {
    std::string argument = argv[index];
    if (argument == "--family" && index + 1 < argc) family = argv[++index];
    else if (argument == "--repeats" && index + 1 < argc) repeats = std::stoi(argv[++index]);
    else if (argument == "--int8") int8 = true;
  }
  try {
    ArchSpec arch = ArchSpec::parse(family);
    arch.input = InputShape{1, 28, 28};
    arch.classes = 10;
    std::vector<LayerSpec> layers = arch.expand();
    auto folder = std::filesystem::temp_directory_path() / ("edgeloop-bundle-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    onnx::ModelProto fp32 = build_onnx_model(layers, arch.input, bench::seeded_weights(layers));
    save_onnx_model(fp32, folder / kBundleFp32ModelName);
    Bundle bundle;
    bundle.directory = folder;
    bundle.arch = arch.to_string();
    bundle.input = arch.input;
    bundle.preprocess = Pipeline::default_for(arch.input);
    for (int label = 0; label < arch.classes; ++label) bundle.labels.push_back("class" + std::to_string(label));
    bundle.files[kBundleFp32ModelName] = {};
    if (int8) {
      NamedTensor images{{kCalibrationImages, 1, 28, 28}, std::vector<float>(size_t(kCalibrationImages) * 28 * 28)};
      cv::RNG random(3);
      for (float& value : images.values) value = random.uniform(0.0f, 1.0f);
      save_onnx_model(quantize_to_qdq(fp32, calibrate_activation_ranges(fp32, {images})), folder / kBundleInt8ModelName);
      bundle.files[kBundleInt8ModelName] = {};
    }
    write_bundle_manifest(bundle);

    cv::Mat frame(28, 28, CV_8UC1);
    cv::randu(frame, 0, 255);
    std::vector<double> milliseconds;
    for (int repeat = 0; repeat < repeats; ++repeat) {
      auto start = std::chrono::steady_clock::now();
      Bundle loaded = load_bundle(folder);
      auto engine = make_engine(int8 ? "xnnpack-int8" : "xnnpack", int8 ? *loaded.int8_model() : loaded.fp32_model(),
                                EngineOptions{});
      cv::Mat input = loaded.preprocess.apply(frame);
      engine->infer(input.ptr<float>(), 1);
      milliseconds.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::filesystem::remove_all(folder);
    std::vector<double> sorted = milliseconds;
    std::sort(sorted.begin(), sorted.end());
    std::printf("%s bundle (%s) load + verify + engine + first inference: first %.1f ms, median %.1f ms, max %.1f ms "
                "over %d loads (target <= %.0f ms: %s)\n",
                family.c_str(), int8 ? "int8" : "fp32", milliseconds[0], sorted[sorted.size() / 2], sorted.back(),
                repeats, kTargetMs, sorted[sorted.size() / 2] <= kTargetMs ? "yes" : "NO");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bundle_first_inference: %s\n", error.what());
    return 1;
  }
  return 0;
}
