#include <gtest/gtest.h>

#include <cstdlib>
#include <opencv2/dnn.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/export/onnx_reference_runner.h"
#include "edgeloop/export/onnx_writer.h"
#include "export/test_networks.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr float kEngineTolerance = 1e-4f;
constexpr float kFoldingTolerance = 1e-5f;
const InputShape kGray{1, 12, 12};
const InputShape kColour{3, 16, 16};

float max_abs_difference(const std::vector<float>& left, const std::vector<float>& right) {
  EXPECT_EQ(left.size(), right.size());
  float largest = 0.0f;
  for (size_t index = 0; index < std::min(left.size(), right.size()); ++index) {
    largest = std::max(largest, std::abs(left[index] - right[index]));
  }
  return largest;
}

// Embeddings of random-weight networks reach the hundreds, so they are compared relative to their
// largest magnitude (float32 sums in a different order differ in the last bits).
float max_scaled_difference(const std::vector<float>& left, const std::vector<float>& right) {
  float largest = 1.0f;
  for (float value : right) largest = std::max(largest, std::abs(value));
  return max_abs_difference(left, right) / largest;
}

int count_ops(const onnx::ModelProto& model, const std::string& op) {
  int count = 0;
  for (const onnx::NodeProto& node : model.graph().node()) count += node.op_type() == op;
  return count;
}

std::vector<float> opencv_output(const std::filesystem::path& file, const NamedTensor& images, const std::string& output) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(file.string());
  std::vector<int> shape(images.shape.begin(), images.shape.end());
  cv::Mat blob(static_cast<int>(shape.size()), shape.data(), CV_32F, const_cast<float*>(images.values.data()));
  net.setInput(blob);
  cv::Mat result = net.forward(output);
  return std::vector<float>(result.ptr<float>(), result.ptr<float>() + result.total());
}

struct Case {
  std::string name;
  std::vector<LayerSpec> layers;
  InputShape input;
};

std::vector<Case> cases() {
  return {{"small_cnn", testing::small_cnn_layers(kGray), kGray},
          {"small_mobile", testing::small_mobile_layers(kColour), kColour}};
}

TEST(OnnxWriter, every_layer_kind_passes_the_full_onnx_checker) {
  for (const Case& test : cases()) {
    onnx::ModelProto model = build_onnx_model(test.layers, test.input, testing::random_weights(test.layers, 1));
    EXPECT_NO_THROW(check_onnx_model(model, test.name)) << test.name;
    EXPECT_EQ(model.opset_import(0).version(), kOnnxOpsetVersion);
    for (const onnx::NodeProto& node : model.graph().node()) {
      if (node.op_type() != "Conv") continue;
      bool has_kernel_shape = false;
      for (const auto& attribute : node.attribute()) has_kernel_shape |= attribute.name() == "kernel_shape";
      EXPECT_TRUE(has_kernel_shape) << node.name();
    }
  }
}

TEST(OnnxWriter, python_onnx_checker_accepts_the_file) {
  testing::TempDir dir;
  for (const Case& test : cases()) {
    const auto file = dir / (std::string(test.name) + ".onnx");
    save_onnx_model(build_onnx_model(test.layers, test.input, testing::random_weights(test.layers, 2)), file);
    const std::string command = "/usr/bin/python3 -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
                                "full_check=True)' " + file.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << test.name;
  }
}

TEST(OnnxWriter, batch_norm_folded_into_the_conv_computes_the_same) {
  for (const Case& test : cases()) {
    const WeightMap weights = testing::random_weights(test.layers, 3);
    onnx::ModelProto folded = build_onnx_model(test.layers, test.input, weights);
    OnnxWriterOptions unfolded_options;
    unfolded_options.fold_batch_norm = false;
    onnx::ModelProto unfolded = build_onnx_model(test.layers, test.input, weights, unfolded_options);
    EXPECT_EQ(count_ops(folded, "BatchNormalization"), 0) << test.name;
    EXPECT_GT(count_ops(unfolded, "BatchNormalization"), 0) << test.name;
    const NamedTensor images = testing::random_images(test.input, 2, 4);
    auto folded_outputs = OnnxReferenceRunner(folded).run(images);
    auto unfolded_outputs = OnnxReferenceRunner(unfolded).run(images);
    for (const char* output : {kOnnxProbabilitiesName, kOnnxEmbeddingName}) {
      EXPECT_LE(max_abs_difference(folded_outputs[output].values, unfolded_outputs[output].values), kFoldingTolerance)
          << test.name << " " << output;
    }
  }
}

TEST(OnnxWriter, opencv_dnn_imports_the_file_and_agrees_with_the_reference_runner) {
  testing::TempDir dir;
  for (const Case& test : cases()) {
    const auto file = dir / "model.onnx";
    onnx::ModelProto model = build_onnx_model(test.layers, test.input, testing::random_weights(test.layers, 5));
    save_onnx_model(model, file);
    const NamedTensor images = testing::random_images(test.input, 3, 6);   // batch 3: the batch is dynamic
    auto reference = OnnxReferenceRunner(model).run(images);
    for (const char* output : {kOnnxProbabilitiesName, kOnnxEmbeddingName}) {
      std::vector<float> opencv = opencv_output(file, images, output);
      EXPECT_EQ(opencv.size(), reference[output].values.size()) << test.name;
      EXPECT_LE(max_abs_difference(opencv, reference[output].values), kEngineTolerance) << test.name << " " << output;
    }
    float row_sum = 0.0f;
    const int64_t classes = reference[kOnnxProbabilitiesName].shape[1];
    for (int64_t index = 0; index < classes; ++index) row_sum += reference[kOnnxProbabilitiesName].values[index];
    EXPECT_NEAR(row_sum, 1.0f, 1e-5f);
  }
}

std::vector<Case> ladder_cases() {
  std::vector<Case> result;
  for (const std::string& family : architecture_ladder()) {
    ArchSpec arch = ArchSpec::parse(family);
    arch.input = InputShape{1, 28, 28};
    arch.classes = 10;
    result.push_back({family, arch.expand(), arch.input});
  }
  return result;
}

TEST(OnnxWriter, every_ladder_family_passes_both_checkers_and_opencv_agrees_with_the_reference) {
  testing::TempDir dir;
  for (const Case& test : ladder_cases()) {
    const auto file = dir / (std::string(test.name) + ".onnx");
    onnx::ModelProto model = build_onnx_model(test.layers, test.input, testing::random_weights(test.layers, 9));
    EXPECT_NO_THROW(check_onnx_model(model, test.name)) << test.name;
    save_onnx_model(model, file);
    const std::string command = "/usr/bin/python3 -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
                                "full_check=True)' " + file.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << test.name;
    const NamedTensor images = testing::random_images(test.input, 1, 10);
    auto reference = OnnxReferenceRunner(model).run(images);
    EXPECT_LE(max_abs_difference(opencv_output(file, images, kOnnxProbabilitiesName),
                                 reference[kOnnxProbabilitiesName].values),
              kEngineTolerance)
        << test.name;
    EXPECT_LE(max_scaled_difference(opencv_output(file, images, kOnnxEmbeddingName), reference[kOnnxEmbeddingName].values),
              kEngineTolerance)
        << test.name;
  }
}

TEST(OnnxWriter, missing_weight_is_refused_naming_the_parameter) {
  const std::vector<LayerSpec> layers = testing::small_cnn_layers(kGray);
  WeightMap weights = testing::random_weights(layers, 7);
  weights.erase("conv2.weight");
  try {
    build_onnx_model(layers, kGray, weights);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("conv2.weight"), std::string::npos) << error.what();
  }
}

TEST(OnnxWriter, wrongly_shaped_weight_is_refused_naming_both_shapes) {
  const std::vector<LayerSpec> layers = testing::small_cnn_layers(kGray);
  WeightMap weights = testing::random_weights(layers, 8);
  weights["classifier.weight"].shape = {5, 6, 2};
  try {
    build_onnx_model(layers, kGray, weights);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("classifier.weight: expected [5, 12], got [5, 6, 2]"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace edgeloop
