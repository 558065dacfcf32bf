// The fast engines (xnnpack, onednn) against the plain reference interpreter on the same ONNX file
// and the same seeded random input (fp32 and QDQ int8), for every ladder family.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/onednn_engine.h"
#include "edgeloop/runtime/reference_engine.h"
#include "edgeloop/runtime/xnnpack_engine.h"
#include "runtime/test_models.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

#include <fstream>

namespace edgeloop {
namespace {

using testing::random_images;
using testing::test_families;
using testing::test_model;

constexpr float kFp32Tolerance = 1e-4f;         // max abs difference of probabilities and embedding
constexpr float kInt8ProbabilityTolerance = 0.03f;
constexpr int kBatch = 4;
constexpr unsigned kSeed = 11;

float max_difference(const std::vector<float>& left, const std::vector<float>& right) {
  EXPECT_EQ(left.size(), right.size());
  float worst = 0.0f;
  for (size_t index = 0; index < std::min(left.size(), right.size()); ++index) {
    EXPECT_TRUE(std::isfinite(left[index]) && std::isfinite(right[index])) << "at " << index;
    worst = std::max(worst, std::fabs(left[index] - right[index]));
  }
  return worst;
}

int top1(const InferenceResult& result, int image) {
  auto begin = result.probabilities.begin() + image * result.classes;
  return int(std::max_element(begin, begin + result.classes) - begin);
}

// (engine, family): "xnnpack" or "onednn"; the int8 tests use "<engine>-int8" on the QDQ file.
class FastEngineFamily : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

struct Outputs {
  std::string engine_name;
  InferenceResult fast;
  InferenceResult reference;
};

// The same seeded batch through a fast engine and the reference interpreter.
Outputs run_both(const std::string& engine, const std::filesystem::path& model) {
  auto fast = make_engine(engine, model, EngineOptions{});
  ReferenceEngine reference(model);
  auto input = random_images(kBatch, kSeed);
  return {fast->name(), fast->infer(input.data(), kBatch), reference.infer(input.data(), kBatch)};
}

TEST_P(FastEngineFamily, fp32_matches_the_reference_within_1e_4) {
  auto [engine, family] = GetParam();
  auto [engine_name, got, want] = run_both(engine, test_model(family));
  EXPECT_EQ(engine_name, engine);
  ASSERT_EQ(got.classes, testing::kTestClasses);
  EXPECT_EQ(got.embedding_size, want.embedding_size);
  EXPECT_LE(max_difference(got.probabilities, want.probabilities), kFp32Tolerance);
  EXPECT_LE(max_difference(got.embedding, want.embedding), kFp32Tolerance * 10);
  RecordProperty("max_probability_difference", std::to_string(max_difference(got.probabilities, want.probabilities)));
}

TEST_P(FastEngineFamily, int8_qdq_runs_in_int8_and_agrees_with_the_reference) {
  auto [engine, family] = GetParam();
  auto [engine_name, got, want] = run_both(engine + "-int8", test_model(family, /*int8=*/true));
  EXPECT_EQ(engine_name, engine + "-int8");
  EXPECT_LE(max_difference(got.probabilities, want.probabilities), kInt8ProbabilityTolerance);
  RecordProperty("max_probability_difference", std::to_string(max_difference(got.probabilities, want.probabilities)));
  for (int image = 0; image < kBatch; ++image) EXPECT_EQ(top1(got, image), top1(want, image)) << "image " << image;
}

// oneDNN on AVX2 or AVX-512 without VNNI adds pairs of u8 × s8 products in 16 bits, which
// saturates: the int8 engine must still agree with the reference there. DNNL_MAX_CPU_ISA makes a
// VNNI machine run those kernels, in a child process because oneDNN reads it once.
TEST(OnednnInt8, agrees_with_the_reference_on_a_cpu_without_vnni) {
  if (std::getenv("DNNL_MAX_CPU_ISA") != nullptr) GTEST_SKIP() << "already the child run";
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const testing::CommandOutput child = testing::run_shell(
      "DNNL_MAX_CPU_ISA=AVX2 " + testing::shell_quote(self) +
      " --gtest_filter='Ladder/FastEngineFamily.int8_qdq_runs_in_int8_and_agrees_with_the_reference/onednn_*' 2>&1");
  EXPECT_EQ(child.exit_status, 0) << child.output;
  EXPECT_NE(child.output.find("[  PASSED  ]"), std::string::npos) << child.output;
}

INSTANTIATE_TEST_SUITE_P(Ladder, FastEngineFamily,
                         ::testing::Combine(::testing::Values("xnnpack", "onednn"), ::testing::ValuesIn(test_families())),
                         [](const auto& info) {
                           std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

class FastEngine : public ::testing::TestWithParam<std::string> {};

TEST_P(FastEngine, batch_one_equals_the_same_image_inside_a_batch) {
  auto engine = make_engine(GetParam(), test_model("cnn-s", /*int8=*/GetParam().ends_with("-int8")),
                            EngineOptions{.threads = 1, .max_batch = 8});
  auto input = random_images(8, kSeed);
  InferenceResult batched = engine->infer(input.data(), 8);
  InferenceResult single = engine->infer(input.data() + 3 * 28 * 28, 1);
  std::vector<float> row(batched.probabilities.begin() + 3 * batched.classes,
                         batched.probabilities.begin() + 4 * batched.classes);
  EXPECT_LE(max_difference(single.probabilities, row), 1e-6f);
}

INSTANTIATE_TEST_SUITE_P(Engines, FastEngine, ::testing::Values("xnnpack", "onednn", "onednn-int8"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(OnednnEngine, the_precision_named_must_match_the_file) {
  EXPECT_THROW(make_engine("onednn", test_model("cnn-s", /*int8=*/true), EngineOptions{}), Error);
  EXPECT_THROW(make_engine("onednn-int8", test_model("cnn-s"), EngineOptions{}), Error);
}

TEST(FastEngines, refuse_an_unsupported_op_naming_it) {
  // A Sigmoid node: valid ONNX that the xnnpack engine does not map.
  testing::TempDir folder;
  auto path = folder / "sigmoid.onnx";
  auto made = testing::run_shell(
      "/usr/bin/python3 -c \"import onnx; from onnx import helper, TensorProto as T; "
      "g = helper.make_graph([helper.make_node('Sigmoid', ['input'], ['probabilities'], name='gate')], 'g', "
      "[helper.make_tensor_value_info('input', T.FLOAT, [1, 4])], "
      "[helper.make_tensor_value_info('probabilities', T.FLOAT, [1, 4])]); "
      "onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]), '" + path.string() + "')\" 2>&1");
  ASSERT_EQ(made.exit_status, 0) << made.output;
  for (const std::string engine : {"xnnpack", "onednn"}) {
    try {
      make_engine(engine, path, EngineOptions{});
      FAIL() << engine << " loaded a model with a Sigmoid";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kUnsupported);
      EXPECT_NE(std::string(error.what()).find("Sigmoid"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("gate"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(engine + " engine"), std::string::npos) << error.what();
    }
  }
}

TEST(XnnpackEngine, refuses_a_file_that_is_not_onnx_naming_it) {
  testing::TempDir folder;
  std::ofstream(folder / "broken.onnx") << "this is not protobuf";
  try {
    XnnpackEngine engine(folder / "broken.onnx", EngineOptions{});
    FAIL() << "loaded a broken file";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(error.what()).find("broken.onnx"), std::string::npos);
  }
}

}  // namespace
}  // namespace edgeloop
