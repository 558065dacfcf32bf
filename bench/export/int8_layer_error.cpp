// int8_layer_error: where a bundle's int8 model loses accuracy. Runs the bundle's model.onnx and
// model.int8.onnx in the reference runner on the validation split of the bundle's dataset version
// and prints, per tensor, the signal-to-quantization-noise ratio of the int8 graph's float tensor
// against fp32's, then fp32 and int8 accuracy, top-1 agreement, and how many flips are exact ties
// in the int8 logits. With --requantize N the int8 model is made afresh by this build's quantizer,
// calibrated on the first N training images as `edgeloop export --int8 --calibration N` does, so
// a quantizer change is measured on the same trained model.
//
// Usage: int8_layer_error BUNDLE_DIR WORKSPACE_DIR [--images N] [--requantize N]
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/export/int8_quantizer.h"
#include "edgeloop/export/onnx_reference_runner.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/export/parity_check.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registry.h"

namespace {

using namespace edgeloop;

constexpr int kBatch = 50;

struct NoiseSum {
  double signal = 0.0;
  double noise = 0.0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: int8_layer_error BUNDLE_DIR WORKSPACE_DIR [--images N] [--requantize N]\n");
    return 2;
  }
  int limit = 1 << 30;
  int calibration_images = 0;
  for (int index = 3; index + 1 < argc; index += 2) {
    const std::string argument = argv[index];
    if (argument == "--images") limit = std::stoi(argv[index + 1]);
    if (argument == "--requantize") calibration_images = std::stoi(argv[index + 1]);
  }
  try {
    const Bundle bundle = load_bundle(argv[1]);
    const Workspace workspace = Workspace::open(std::filesystem::path(argv[2]));
    Registry registry = Registry::open(workspace.registry_path());
    DatasetStore datasets(registry);
    const std::string version = bundle.lineage.at("dataset_version").get<std::string>();
    const std::vector<Sample> samples = datasets.samples(version, kSplitVal);
    const ObjectStore objects(workspace);
    const InputShape& input = bundle.input;
    auto prepare = [&](const std::vector<Sample>& from, int first, int size) {
      std::vector<float> nhwc;
      for (int image = first; image < first + size; ++image) {
        cv::Mat prepared = bundle.preprocess.apply(objects.decode(from[image].object_hash));
        if (!prepared.isContinuous()) prepared = prepared.clone();
        nhwc.insert(nhwc.end(), prepared.ptr<float>(), prepared.ptr<float>() + prepared.total() * prepared.channels());
      }
      return NamedTensor{{size, input.channels, input.height, input.width},
                         nhwc_to_nchw(nhwc, size, input.channels, input.height, input.width)};
    };
    const onnx::ModelProto fp32_model = load_onnx_model(bundle.fp32_model());
    const OnnxReferenceRunner fp32_runner(fp32_model);
    onnx::ModelProto int8_model;
    if (calibration_images > 0) {
      const std::vector<Sample> training = datasets.samples(version, kSplitTrain);
      std::vector<NamedTensor> calibration;
      const int count = std::min<int>(calibration_images, static_cast<int>(training.size()));
      for (int first = 0; first < count; first += kBatch) calibration.push_back(prepare(training, first, std::min(kBatch, count - first)));
      int8_model = quantize_to_qdq(fp32_model, calibrate_activation_ranges(fp32_model, calibration));
    } else {
      int8_model = load_onnx_model(*bundle.int8_model());
    }
    const OnnxReferenceRunner int8_runner(int8_model);
    std::map<std::string, NoiseSum> noise;
    std::vector<std::string> order;
    for (const onnx::NodeProto& node : int8_model.graph().node()) {
      for (const std::string& output : node.output()) order.push_back(output);
    }
    int count = 0, fp32_correct = 0, int8_correct = 0, agreeing = 0, tied_flips = 0;
    const int total = std::min<int>(limit, static_cast<int>(samples.size()));
    for (int first = 0; first < total; first += kBatch) {
      const int size = std::min(kBatch, total - first);
      const NamedTensor batch = prepare(samples, first, size);
      const auto fp32 = fp32_runner.run(batch, true);
      const auto int8 = int8_runner.run(batch, true);
      for (const auto& [name, tensor] : fp32) {
        auto found = int8.find(name);
        if (found == int8.end() || found->second.values.size() != tensor.values.size()) continue;
        NoiseSum& sum = noise[name];
        for (size_t element = 0; element < tensor.values.size(); ++element) {
          const double difference = tensor.values[element] - found->second.values[element];
          sum.signal += double(tensor.values[element]) * tensor.values[element];
          sum.noise += difference * difference;
        }
      }
      const std::vector<float>& fp32_probabilities = fp32.at(kOnnxProbabilitiesName).values;
      const std::vector<float>& int8_probabilities = int8.at(kOnnxProbabilitiesName).values;
      const int classes = static_cast<int>(fp32_probabilities.size()) / size;
      const std::vector<int> fp32_top = row_argmax(fp32_probabilities, classes);
      const std::vector<int> int8_top = row_argmax(int8_probabilities, classes);
      for (int image = 0; image < size; ++image) {
        const int label = samples[first + image].label;
        fp32_correct += fp32_top[image] == label;
        int8_correct += int8_top[image] == label;
        agreeing += fp32_top[image] == int8_top[image];
        if (fp32_top[image] != int8_top[image]) {
          const float* row = int8_probabilities.data() + size_t(image) * classes;
          tied_flips += row[fp32_top[image]] == row[int8_top[image]];
        }
      }
      count += size;
    }
    std::printf("%-40s %10s\n", "tensor (int8 graph's float value vs fp32)", "SQNR dB");
    for (const std::string& name : order) {
      auto found = noise.find(name);
      if (found == noise.end()) continue;
      const double sqnr = found->second.noise > 0 ? 10.0 * std::log10(found->second.signal / found->second.noise) : INFINITY;
      std::printf("%-40s %10.2f\n", name.c_str(), sqnr);
    }
    std::printf("\nvalidation images %d: fp32 %.4f  int8 %.4f  (%+.2f points)  agreement %.4f  flips %d, of which exact ties %d\n",
                count, double(fp32_correct) / count, double(int8_correct) / count,
                100.0 * (int8_correct - fp32_correct) / count, double(agreeing) / count, count - agreeing, tied_flips);
    return 0;
  } catch (const Error& error) {
    std::fprintf(stderr, "int8_layer_error: %s\n", error.what());
    return 1;
  }
}
