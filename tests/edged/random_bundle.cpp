#include "edged/random_bundle.h"

#include <random>

#include <opencv2/imgproc.hpp>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/bundle/reference_statistics.h"
#include "edgeloop/export/int8_quantizer.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/models/arch_spec.h"
#include "edgeloop/preprocess/image_features.h"
#include "edgeloop/runtime/engine.h"
#include "export/test_networks.h"

namespace edgeloop::testing {
namespace {

constexpr int kCalibrationImages = 32;
constexpr int kTextureBlocks = 7;   // blocks per side of a random image

}  // namespace

std::vector<cv::Mat> random_gray_images(int count, int size, uint32_t seed) {
  cv::RNG generator(seed);
  std::vector<cv::Mat> images;
  for (int index = 0; index < count; ++index) {
    cv::Mat blocks(kTextureBlocks, kTextureBlocks, CV_8UC1);
    generator.fill(blocks, cv::RNG::UNIFORM, 20, 230);
    cv::Mat image;
    cv::resize(blocks, image, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
    images.push_back(image);
  }
  return images;
}

void write_random_bundle(const std::filesystem::path& directory, const RandomBundleOptions& options,
                         const std::vector<cv::Mat>& reference_images) {
  std::filesystem::create_directories(directory);
  ArchSpec arch = ArchSpec::parse(options.family);
  arch.input = InputShape{1, options.image_size, options.image_size};
  arch.classes = options.classes;
  const std::vector<LayerSpec> layers = arch.expand();
  OnnxWriterOptions writer;
  writer.model_id = options.model_id;
  onnx::ModelProto fp32 = build_onnx_model(layers, arch.input, random_weights(layers, options.seed), writer);
  save_onnx_model(fp32, directory / kBundleFp32ModelName);

  Bundle bundle;
  bundle.directory = directory;
  bundle.model_id = options.model_id;
  bundle.arch = options.family;
  bundle.input = arch.input;
  bundle.preprocess = Pipeline::default_for(arch.input);
  for (int label = 0; label < options.classes; ++label) bundle.labels.push_back("class_" + std::to_string(label));
  bundle.files[kBundleFp32ModelName] = {};

  if (options.int8) {
    const size_t image_values = static_cast<size_t>(options.image_size) * options.image_size;
    NamedTensor batch;
    const int count = std::min<int>(kCalibrationImages, static_cast<int>(reference_images.size()));
    batch.shape = {count, 1, options.image_size, options.image_size};
    for (int index = 0; index < count; ++index) {
      cv::Mat input = bundle.preprocess.apply(reference_images[index]);
      batch.values.insert(batch.values.end(), input.ptr<float>(), input.ptr<float>() + image_values);
    }
    save_onnx_model(quantize_to_qdq(fp32, calibrate_activation_ranges(fp32, {batch})), directory / kBundleInt8ModelName);
    bundle.files[kBundleInt8ModelName] = {};
  }

  auto engine = make_engine("xnnpack", directory / kBundleFp32ModelName, EngineOptions{});
  std::unique_ptr<ReferenceStatisticsBuilder> builder;
  for (const cv::Mat& image : reference_images) {
    cv::Mat model_uint8 = bundle.preprocess.apply_uint8(image);
    cv::Mat input = bundle.preprocess.finish_uint8(model_uint8);
    InferenceResult result = engine->infer(input.ptr<float>(), 1);
    if (!builder) builder = std::make_unique<ReferenceStatisticsBuilder>(result.embedding_size);
    float confidence = *std::max_element(result.probabilities.begin(), result.probabilities.end());
    builder->add(compute_image_features(model_uint8), confidence, result.embedding);
  }
  if (builder) bundle.reference_statistics = builder->finish("random test images").to_json();
  write_bundle_manifest(bundle);
}

}  // namespace edgeloop::testing
