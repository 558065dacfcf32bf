// Every ladder architecture as export/'s ONNX writer writes it (seeded random weights, batch norm
// folded and not) runs on the xnnpack and onednn engines and matches the plain reference interpreter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "edgeloop/export/int8_quantizer.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/models/arch_spec.h"
#include "edgeloop/runtime/onednn_engine.h"
#include "edgeloop/runtime/opencv_engine.h"
#include "edgeloop/runtime/reference_engine.h"
#include "edgeloop/runtime/xnnpack_engine.h"
#include "export/test_networks.h"
#include "runtime/test_models.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr float kFp32Tolerance = 1e-4f;
constexpr int kBatch = 3;
constexpr uint32_t kWeightSeed = 5;
constexpr unsigned kInputSeed = 17;

float max_difference(const std::vector<float>& left, const std::vector<float>& right) {
  EXPECT_EQ(left.size(), right.size());
  float worst = 0.0f;
  for (size_t index = 0; index < std::min(left.size(), right.size()); ++index) {
    EXPECT_TRUE(std::isfinite(left[index])) << "at " << index;
    worst = std::max(worst, std::fabs(left[index] - right[index]));
  }
  return worst;
}

// Embeddings of random-weight networks reach large magnitudes: compare relative to the largest.
float max_scaled_difference(const std::vector<float>& got, const std::vector<float>& want) {
  float largest = 1.0f;
  for (float value : want) largest = std::max(largest, std::fabs(value));
  return max_difference(got, want) / largest;
}

class LadderExport : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(LadderExport, xnnpack_matches_the_reference_and_opencv_on_the_written_onnx) {
  auto [family, fold] = GetParam();
  ArchSpec arch = ArchSpec::parse(family);
  arch.input = InputShape{testing::kTestImageChannels, testing::kTestImageSize, testing::kTestImageSize};
  arch.classes = testing::kTestClasses;
  std::vector<LayerSpec> layers = arch.expand();
  WeightMap weights = testing::random_weights(layers, kWeightSeed);
  testing::TempDir folder;
  auto path = folder / "model.onnx";
  OnnxWriterOptions options;
  options.fold_batch_norm = fold;
  save_onnx_model(build_onnx_model(layers, arch.input, weights, options), path);

  XnnpackEngine fast(path, EngineOptions{});
  ReferenceEngine reference(path);
  auto input = testing::random_images(kBatch, kInputSeed);
  InferenceResult got = fast.infer(input.data(), kBatch);
  InferenceResult want = reference.infer(input.data(), kBatch);
  EXPECT_LE(max_difference(got.probabilities, want.probabilities), kFp32Tolerance);
  EXPECT_LE(max_scaled_difference(got.embedding, want.embedding), kFp32Tolerance);

  // The two device engines on the same file: fp32 xnnpack vs OpenCV DNN within 1e-4.
  OpenCvEngine opencv(path, EngineOptions{}, /*int8=*/false);
  InferenceResult other = opencv.infer(input.data(), kBatch);
  EXPECT_LE(max_difference(got.probabilities, other.probabilities), kFp32Tolerance);
  EXPECT_LE(max_scaled_difference(got.embedding, other.embedding), kFp32Tolerance);

  OnednnEngine onednn(path, EngineOptions{});
  InferenceResult mapped = onednn.infer(input.data(), kBatch);
  EXPECT_LE(max_difference(mapped.probabilities, want.probabilities), kFp32Tolerance);
  EXPECT_LE(max_scaled_difference(mapped.embedding, want.embedding), kFp32Tolerance);
}

constexpr float kInt8ProbabilityTolerance = 0.03f;
constexpr int kCalibrationImages = 4;

class LadderInt8 : public ::testing::TestWithParam<std::string> {};

// The family's QDQ file as export/'s writer and quantizer write it (seeded weights and calibration).
std::filesystem::path write_int8_model(const std::string& family, const std::filesystem::path& folder) {
  ArchSpec arch = ArchSpec::parse(family);
  arch.input = InputShape{testing::kTestImageChannels, testing::kTestImageSize, testing::kTestImageSize};
  arch.classes = testing::kTestClasses;
  std::vector<LayerSpec> layers = arch.expand();
  onnx::ModelProto fp32 = build_onnx_model(layers, arch.input, testing::random_weights(layers, kWeightSeed));
  auto ranges = calibrate_activation_ranges(fp32, {testing::random_images(arch.input, kCalibrationImages, 3)});
  auto path = folder / "model.int8.onnx";
  save_onnx_model(quantize_to_qdq(fp32, ranges), path);
  return path;
}

TEST_P(LadderInt8, fast_engines_match_the_reference_on_the_quantizers_qdq_file) {
  testing::TempDir folder;
  auto path = write_int8_model(GetParam(), folder.path());
  ReferenceEngine reference(path);
  auto input = testing::random_images(kBatch, kInputSeed);
  InferenceResult want = reference.infer(input.data(), kBatch);
  for (const std::string engine_name : {"xnnpack-int8", "onednn-int8"}) {
    auto fast = make_engine(engine_name, path, EngineOptions{});
    InferenceResult got = fast->infer(input.data(), kBatch);
    EXPECT_LE(max_difference(got.probabilities, want.probabilities), kInt8ProbabilityTolerance) << engine_name;
  }
}

// An int8 file runs in int8 up to the logits, which the quantizer keeps float
// (export/int8_quantizer.h). On xnnpack every convolution, fully connected layer, pooling and
// residual add is int8 except the classifier (XNNPACK 2022-02's int8 layers write int8 only, so it
// runs in fp32 on the float embedding the graph outputs anyway; the linear family is nothing but
// its classifier) and a stem convolution on the float input with a small reduction
// (xnnpack_subgraph_builder.h: kFloatStemMaxReduction, faster in fp32). Conversions only where
// float is unavoidable: the input (or the stem's output) and the embedding.
constexpr int kUnavoidableConversions = 2;
constexpr int kFloatClassifiers = 1;
constexpr int kFloatStemConvolutions = 1;

TEST_P(LadderInt8, xnnpack_runs_the_quantizers_qdq_file_without_fp32_islands) {
  testing::TempDir folder;
  XnnpackEngine engine(write_int8_model(GetParam(), folder.path()), EngineOptions{});
  XnnpackEngine::OperatorCounts counts = engine.operator_counts();
  if (GetParam() != "linear") EXPECT_GT(counts.int8_operators, 0);
  EXPECT_LE(counts.fp32_operators, kFloatClassifiers + kFloatStemConvolutions);
  EXPECT_LE(counts.converts, kUnavoidableConversions);
}

// The onednn engine runs every convolution, fully connected layer, pooling and residual add of
// the QDQ file in int8 (the stem too: oneDNN's u8 kernels handle its input zero point; the
// classifier reads u8 and writes the float logits), with conversions only for the input and the
// float embedding.
TEST_P(LadderInt8, onednn_runs_the_quantizers_qdq_file_all_in_int8) {
  testing::TempDir folder;
  OnednnEngine engine(write_int8_model(GetParam(), folder.path()), EngineOptions{});
  OnednnEngine::OperatorCounts counts = engine.operator_counts();
  EXPECT_GT(counts.int8_operators, 0);
  EXPECT_EQ(counts.fp32_operators, 0);
  EXPECT_LE(counts.conversions, kUnavoidableConversions);
}

INSTANTIATE_TEST_SUITE_P(Ladder, LadderInt8, ::testing::ValuesIn(architecture_ladder()), [](const auto& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

INSTANTIATE_TEST_SUITE_P(Ladder, LadderExport,
                         ::testing::Combine(::testing::ValuesIn(architecture_ladder()), ::testing::Bool()),
                         [](const auto& info) {
                           std::string name = std::get<0>(info.param);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name + (std::get<1>(info.param) ? "_folded" : "_with_batch_norm");
                         });

}  // namespace
}  // namespace edgeloop
