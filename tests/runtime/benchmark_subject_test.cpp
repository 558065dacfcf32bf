// What `edgeloop bench TARGET` resolves TARGET to: a bundle (verified: a changed byte is refused),
// an .onnx file with its .int8.onnx sibling, validation images from class subfolders.
#include <gtest/gtest.h>

#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/error.h"
#include "edgeloop/runtime/benchmark_subject.h"
#include "runtime/test_models.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

void write_png(const std::filesystem::path& path, int value) {
  std::filesystem::create_directories(path.parent_path());
  cv::Mat image(testing::kTestImageSize, testing::kTestImageSize, CV_8UC1, cv::Scalar(value));
  cv::imwrite(path.string(), image);
}

TEST(BenchmarkSubject, an_onnx_file_brings_its_int8_sibling_and_a_default_pipeline) {
  BenchmarkSubject subject = resolve_benchmark_subject(testing::test_model("cnn-s").string(), {});
  ASSERT_TRUE(subject.fp32_model && subject.int8_model);
  EXPECT_EQ(subject.int8_model->filename(), "cnn-s.int8.onnx");
  EXPECT_EQ(subject.preprocess.output_shape().height, testing::kTestImageSize);
  EXPECT_TRUE(subject.validation.empty());
}

TEST(BenchmarkSubject, validation_folder_labels_by_sorted_subfolder_and_keeps_every_class_under_a_limit) {
  testing::TempDir folder;
  for (int index = 0; index < 3; ++index) {
    write_png(folder / "images/boot" / ("b" + std::to_string(index) + ".png"), 10);
    write_png(folder / "images/shirt" / ("s" + std::to_string(index) + ".png"), 200);
  }
  BenchmarkTargetOptions options;
  options.validation_folder = folder / "images";
  options.max_validation_images = 4;
  BenchmarkSubject subject = resolve_benchmark_subject(testing::test_model("cnn-s").string(), options);
  ASSERT_EQ(subject.validation.size(), 4u);
  int per_class[2] = {0, 0};
  for (const LabeledImage& image : subject.validation) per_class[image.label]++;
  EXPECT_EQ(per_class[0], 2);   // "boot" sorts first
  EXPECT_EQ(per_class[1], 2);
}

TEST(BenchmarkSubject, a_bundle_is_verified_and_a_changed_byte_is_refused_naming_the_file) {
  testing::TempDir folder;
  auto directory = folder / "bundle";
  std::filesystem::create_directories(directory);
  std::filesystem::copy_file(testing::test_model("cnn-s"), directory / kBundleFp32ModelName);
  Bundle bundle;
  bundle.directory = directory;
  bundle.arch = "cnn-s";
  bundle.input = InputShape{1, testing::kTestImageSize, testing::kTestImageSize};
  bundle.preprocess = Pipeline::default_for(bundle.input);
  for (int label = 0; label < testing::kTestClasses; ++label) bundle.labels.push_back("c" + std::to_string(label));
  bundle.files[kBundleFp32ModelName] = {};
  write_bundle_manifest(bundle);

  BenchmarkSubject subject = resolve_benchmark_subject(directory.string(), {});
  ASSERT_TRUE(subject.fp32_model);
  EXPECT_FALSE(subject.int8_model);
  EXPECT_EQ(subject.labels.size(), size_t(testing::kTestClasses));

  {
    std::fstream file(directory / kBundleFp32ModelName, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    file.put('\x7f');
  }
  try {
    resolve_benchmark_subject(directory.string(), {});
    FAIL() << "a tampered bundle was benchmarked";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(error.what()).find(kBundleFp32ModelName), std::string::npos) << error.what();
  }
}

TEST(BenchmarkSubject, an_unknown_target_says_what_it_accepts) {
  try {
    resolve_benchmark_subject("no-such-model", {});
    FAIL() << "resolved a target that does not exist";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(error.what()).find("no-such-model"), std::string::npos);
  }
}

}  // namespace
}  // namespace edgeloop
