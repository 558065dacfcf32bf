#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/bundle/reference_statistics.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/leftover_files.h"
#include "edgeloop/export/model_exporter.h"
#include "edgeloop/export/parity_check.h"
#include "edgeloop/runtime/engine_ranking.h"
#include "edgeloop/runtime/engine_timing.h"
#include "edgeloop/runtime/toolkit_engines.h"
#include "export/export_workspace.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr double kParityTolerance = 1e-4;
constexpr double kLargestInt8AccuracyDrop = 0.01;   // one point
constexpr double kMinimumWeightShrink = 3.5;

ExportOptions quick_options(const std::filesystem::path& output) {
  ExportOptions options;
  options.output_directory = output;
  options.parity_images = 16;
  options.reference_images = 48;
  options.calibration_images = 60;
  options.int8_evaluation_images = 0;   // the whole validation split
  options.threads = 1;
  options.engine_factory = runtime_parity_engine;
  options.engine_ranker = export_engine_ranking;
  return options;
}

class ModelExporterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared_ = new testing::ExportWorkspace(/*train_images=*/150, /*val_images=*/90); }
  static void TearDownTestSuite() { delete shared_; }
  static testing::ExportWorkspace* shared_;
};
testing::ExportWorkspace* ModelExporterTest::shared_ = nullptr;

TEST_F(ModelExporterTest, every_ladder_family_exports_within_parity_of_libtorch) {
  for (const std::string& family : architecture_ladder()) {
    LayerGraphModule module = shared_->make_module(family);
    const std::string id = shared_->store(*module, family, "m-ladder-" + family);
    const auto output = shared_->workspace().root() / ("bundle-" + family);
    ExportReport report = export_model(shared_->workspace(), id, quick_options(output));
    ASSERT_EQ(report.parity.size(), 4u) << family << ": OpenCV DNN, xnnpack, onednn and opencv";
    for (const EngineParity& parity : report.parity) {
      EXPECT_TRUE(parity.passed) << family << " " << parity.engine << " " << parity.skipped;
      EXPECT_LE(parity.max_abs_difference, kParityTolerance) << family << " " << parity.engine;
      EXPECT_EQ(parity.images, 16) << family;
    }
    const Bundle bundle = load_bundle(output);
    EXPECT_EQ(bundle.model_id, id);
    EXPECT_EQ(bundle.labels.size(), static_cast<size_t>(testing::kExportTestClasses));
    EXPECT_FALSE(bundle.int8_model().has_value());
  }
}

TEST_F(ModelExporterTest, trained_model_int8_bundle_is_small_and_keeps_its_accuracy) {
  LayerGraphModule module = shared_->make_module("cnn-s");
  const double trained_accuracy = shared_->train(*module, /*steps=*/60);
  ASSERT_GE(trained_accuracy, 0.9) << "the tiny model did not learn the stripes; the test data is wrong";
  const std::string id = shared_->store(*module, "cnn-s", "m-trained-cnn-s");
  ExportOptions options = quick_options(shared_->workspace().root() / "bundle-int8");
  options.int8 = true;
  ExportReport report = export_model(shared_->workspace(), id, options);
  ASSERT_TRUE(report.has_int8);
  EXPECT_EQ(report.evaluation_images, 90) << "0 evaluation images means every validation image";
  EXPECT_NEAR(report.fp32_accuracy, trained_accuracy, 1e-9);
  EXPECT_GE(report.int8_accuracy, report.fp32_accuracy - kLargestInt8AccuracyDrop)
      << "fp32 " << report.fp32_accuracy << " int8 " << report.int8_accuracy;
  EXPECT_GE(static_cast<double>(report.fp32_weight_bytes) / report.int8_weight_bytes, kMinimumWeightShrink);
  EXPECT_GT(report.int8_agreement, 0.95);
  ASSERT_EQ(report.int8_engines.size(), 2u);
  for (const Int8EngineCheck& check : report.int8_engines) {
    EXPECT_EQ(check.skipped, "") << check.engine;
    EXPECT_EQ(check.images, 90) << check.engine;
    EXPECT_GE(check.agreement, 0.95) << check.engine << " and the QDQ reference disagree";
  }

  const Bundle bundle = load_bundle(options.output_directory);
  ASSERT_TRUE(bundle.int8_model().has_value());
  ASSERT_TRUE(bundle.weights().has_value());
  EXPECT_NEAR(bundle.metrics["export"]["int8"]["int8_accuracy"].get<double>(), report.int8_accuracy, 1e-12);
  const ReferenceStatistics statistics = ReferenceStatistics::from_json(bundle.reference_statistics);
  ASSERT_NE(statistics.find("brightness"), nullptr);
  EXPECT_EQ(statistics.find("brightness")->count, 48);
  EXPECT_EQ(statistics.embedding_projections.size(), static_cast<size_t>(kEmbeddingProjectionCount));

  // The device engines timed on this machine, fastest first, every one of them measured.
  const EngineRanking ranking = EngineRanking::from_json(bundle.engine_ranking);
  EXPECT_EQ(ranking.cpu, cpu_class());
  ASSERT_EQ(ranking.engines.size(), device_engines().size());
  for (size_t index = 0; index < ranking.engines.size(); ++index) {
    EXPECT_EQ(ranking.engines[index].skipped, "") << ranking.engines[index].engine;
    EXPECT_GT(ranking.engines[index].p50_ms, 0.0) << ranking.engines[index].engine;
    if (index > 0) EXPECT_LE(ranking.engines[index - 1].p50_ms, ranking.engines[index].p50_ms);
    EXPECT_EQ(ranking.engines[index].file,
              ranking.engines[index].engine.ends_with("-int8") ? kBundleInt8ModelName : kBundleFp32ModelName);
  }
}

TEST_F(ModelExporterTest, engine_disagreeing_with_libtorch_stops_the_export_and_writes_nothing) {
  LayerGraphModule module = shared_->make_module("cnn-s");
  const std::string id = shared_->store(*module, "cnn-s", "m-parity-cnn-s");
  ExportOptions options = quick_options(shared_->workspace().root() / "bundle-refused");
  constexpr float kShift = 1e-3f;
  options.engines.push_back({"shifted-opencv", [&](const std::filesystem::path& file, const std::vector<float>& nhwc, int batch) {
                               std::vector<float> probabilities = opencv_dnn_probabilities(file, nhwc, batch, 1, 28, 28);
                               probabilities[0] += kShift;
                               return probabilities;
                             }});
  try {
    export_model(shared_->workspace(), id, options);
    FAIL() << "the export went through";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInternal);
    EXPECT_NE(std::string(error.what()).find("shifted-opencv differs from LibTorch by 0.001"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(options.output_directory));
  for (const auto& entry : std::filesystem::directory_iterator(shared_->workspace().root())) {
    EXPECT_EQ(entry.path().filename().string().find(".bundle-refused.partial"), std::string::npos) << "staging left behind";
  }
}

TEST_F(ModelExporterTest, existing_bundle_folder_is_kept_without_overwrite) {
  LayerGraphModule module = shared_->make_module("linear");
  const std::string id = shared_->store(*module, "linear", "m-existing-linear");
  const auto output = shared_->workspace().root() / "bundle-existing";
  export_model(shared_->workspace(), id, quick_options(output));
  try {
    export_model(shared_->workspace(), id, quick_options(output));
    FAIL() << "overwrote the bundle";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kAlreadyExists);
  }
  ExportOptions overwrite = quick_options(output);
  overwrite.overwrite = true;
  EXPECT_NO_THROW(export_model(shared_->workspace(), id, overwrite));
  EXPECT_NO_THROW(load_bundle(output));
}

TEST_F(ModelExporterTest, forced_export_sweeps_what_a_killed_export_left_and_leaves_only_the_bundle) {
  LayerGraphModule module = shared_->make_module("linear");
  const std::string id = shared_->store(*module, "linear", "m-forced-linear");
  const auto parent = shared_->workspace().root() / "forced";
  const auto output = parent / "bundle";
  export_model(shared_->workspace(), id, quick_options(output));
  // What an export killed mid-way leaves: its staging folder, named with its (now dead) PID.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  write_file_atomically(staging_path_for(output, child) / "model.onnx", "half a model");
  ExportOptions overwrite = quick_options(output);
  overwrite.overwrite = true;
  export_model(shared_->workspace(), id, overwrite);
  EXPECT_NO_THROW(load_bundle(output));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(parent)) names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"bundle"}) << "a staging or aside folder was left";
}

TEST(ModelExporter, unknown_model_is_not_found) {
  edgeloop::testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir / "ws");
  try {
    export_model(workspace, "m-000000000000", quick_options(dir / "none"));
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace edgeloop
