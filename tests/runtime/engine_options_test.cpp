// Engine options the bench and the device rely on: the thread count is honoured, make_engine
// dispatches by name and refuses what it cannot build, opencv-int8 calibrates and agrees with fp32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/opencv_engine.h"
#include "edgeloop/runtime/toolkit_engines.h"
#include "edgeloop/runtime/xnnpack_engine.h"
#include "runtime/test_models.h"

namespace edgeloop {
namespace {

using testing::random_images;
using testing::test_model;

constexpr int kCalibrationImages = 16;
constexpr int kAgreementImages = 32;
constexpr double kMinimumAgreement = 0.9;
constexpr float kInt8ProbabilityTolerance = 0.1f;   // OpenCV's int8: per-tensor weights

int top1(const InferenceResult& result, int image) {
  auto begin = result.probabilities.begin() + image * result.classes;
  return int(std::max_element(begin, begin + result.classes) - begin);
}

TEST(EngineThreads, xnnpack_uses_the_thread_count_asked_for_with_the_same_results) {
  auto input = random_images(4, 3);
  XnnpackEngine one(test_model("cnn-m"), EngineOptions{.threads = 1, .max_batch = 4});
  XnnpackEngine two(test_model("cnn-m"), EngineOptions{.threads = 2, .max_batch = 4});
  EXPECT_EQ(one.threads(), 1);
  EXPECT_EQ(two.threads(), 2);
  auto left = one.infer(input.data(), 4), right = two.infer(input.data(), 4);
  for (size_t index = 0; index < left.probabilities.size(); ++index) {
    EXPECT_NEAR(left.probabilities[index], right.probabilities[index], 1e-6f);
  }
}

TEST(EngineThreads, opencv_engines_leave_the_process_thread_count_as_the_caller_set_it) {
  auto input = random_images(1, 3);
  // The caller's count is 1 and the engine built last asks for 2 (counts are capped at the cores,
  // so 2 is the largest this test can count on).
  const ScopedThreads caller(1);
  OpenCvEngine one(test_model("cnn-s"), EngineOptions{.threads = 1}, /*int8=*/false);
  OpenCvEngine two(test_model("cnn-s"), EngineOptions{.threads = 2}, /*int8=*/false);
  one.infer(input.data(), 1);
  two.infer(input.data(), 1);
  EXPECT_EQ(cv::getNumThreads(), caller.threads());
}

TEST(MakeEngine, builds_each_engine_by_name_and_reports_load_time) {
  for (const char* name : {"xnnpack", "opencv", "reference"}) {
    auto engine = make_toolkit_engine(name, test_model("cnn-s"), EngineOptions{});
    EXPECT_EQ(engine->name(), name);
    EXPECT_GT(engine->load_milliseconds(), 0.0);
  }
  EXPECT_EQ(make_engine("xnnpack-int8", test_model("cnn-s", true), EngineOptions{})->name(), "xnnpack-int8");
}

TEST(MakeEngine, refuses_an_unknown_name_and_an_fp32_file_for_int8) {
  EXPECT_THROW(make_engine("tensorrt", test_model("cnn-s"), EngineOptions{}), Error);
  EXPECT_THROW(make_engine("reference", test_model("cnn-s"), EngineOptions{}), Error) << "toolkit only";
  try {
    make_engine("xnnpack-int8", test_model("cnn-s"), EngineOptions{});
    FAIL() << "built an int8 engine from an fp32 file";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("--int8"), std::string::npos) << error.what();
  }
}

TEST(OpenCvInt8, needs_calibration_images_and_then_agrees_with_fp32) {
  EXPECT_THROW(OpenCvEngine(test_model("cnn-s"), EngineOptions{}, /*int8=*/true), Error);
  EngineOptions options;
  options.calibration_images = random_images(kCalibrationImages, 5);
  OpenCvEngine int8(test_model("cnn-s"), options, /*int8=*/true);
  OpenCvEngine fp32(test_model("cnn-s"), EngineOptions{}, /*int8=*/false);
  EXPECT_EQ(int8.name(), "opencv-int8");
  auto input = random_images(kAgreementImages, 6);
  auto quantized = int8.infer(input.data(), kAgreementImages);
  auto reference = fp32.infer(input.data(), kAgreementImages);
  int agree = 0;
  for (int image = 0; image < kAgreementImages; ++image) agree += top1(quantized, image) == top1(reference, image);
  EXPECT_GE(double(agree) / kAgreementImages, kMinimumAgreement);
  float worst = 0.0f;
  for (size_t index = 0; index < reference.probabilities.size(); ++index) {
    worst = std::max(worst, std::fabs(quantized.probabilities[index] - reference.probabilities[index]));
  }
  EXPECT_LE(worst, kInt8ProbabilityTolerance);
  for (int image = 0; image < kAgreementImages; ++image) {   // the int8 outputs are dequantized right
    float sum = 0.0f;
    for (int index = 0; index < quantized.classes; ++index) sum += quantized.probabilities[image * quantized.classes + index];
    EXPECT_NEAR(sum, 1.0f, kInt8ProbabilityTolerance);
  }
  ASSERT_EQ(quantized.embedding.size(), reference.embedding.size());
}

TEST(OpenCvEngine, refuses_what_opencv_cannot_import_naming_the_file) {
  // PyTorch's mobilenet file has Clip with min/max inputs, which OpenCV 4.6 cannot import.
  try {
    OpenCvEngine engine(test_model("mobilenet"), EngineOptions{}, /*int8=*/false);
    FAIL() << "OpenCV 4.6 imported Clip with inputs";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(error.what()).find("mobilenet.onnx"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace edgeloop
