// The benchmark's report: one row per engine × threads × batch with every figure, errors as rows,
// the Pareto front and the limit flags, its JSON shape (its plot: tests/report/benchmark_plot_test.cpp).
#include <gtest/gtest.h>

#include <random>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/runtime/benchmark.h"
#include "runtime/test_models.h"
#include "support/hostile_images.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr int kValidationImages = 12;

BenchmarkSubject small_subject(bool with_int8) {
  BenchmarkSubject subject;
  subject.name = "cnn-s test model";
  subject.fp32_model = testing::test_model("cnn-s");
  if (with_int8) subject.int8_model = testing::test_model("cnn-s", /*int8=*/true);
  subject.preprocess = Pipeline::default_for(InputShape{1, testing::kTestImageSize, testing::kTestImageSize});
  std::mt19937 generator(4);
  for (int index = 0; index < kValidationImages; ++index) {
    cv::Mat image(testing::kTestImageSize, testing::kTestImageSize, CV_8UC1);
    cv::randu(image, 0, 255);
    std::vector<uint8_t> png;
    cv::imencode(".png", image, png);
    subject.validation.push_back({std::string(png.begin(), png.end()), int(generator() % testing::kTestClasses)});
  }
  return subject;
}

BenchmarkOptions quick_options() {
  BenchmarkOptions options;
  options.engines = {"xnnpack", "xnnpack-int8", "opencv"};
  options.threads = {1};
  options.batches = {1, 4};
  options.iterations = 5;
  options.warmup = 1;
  return options;
}

TEST(Benchmark, reports_every_engine_setting_with_the_json_shape_bench_prints) {
  BenchmarkReport report = run_benchmark(small_subject(true), quick_options());
  Json json = benchmark_to_json(report);
  EXPECT_EQ(json["subject"], "cnn-s test model");
  EXPECT_EQ(json["validation_images"], kValidationImages);
  ASSERT_EQ(json["rows"].size(), 3u * 2u);   // engines × batches
  int on_front = 0;
  for (const Json& row : json["rows"]) {
    SCOPED_TRACE(row.dump());
    ASSERT_FALSE(row.contains("error"));
    for (const char* key : {"engine", "threads", "batch", "file_bytes", "load_ms", "first_inference_ms", "latency_ms",
                            "latency_with_preprocess_ms", "images_per_second", "peak_rss_mb", "accuracy", "pareto",
                            "over_latency", "over_ram"}) {
      EXPECT_TRUE(row.contains(key)) << key;
    }
    for (const char* percentile : {"p50", "p90", "p99"}) {
      EXPECT_GT(row["latency_ms"][percentile].get<double>(), 0.0);
      EXPECT_GE(row["latency_with_preprocess_ms"][percentile].get<double>(), 0.0);
    }
    EXPECT_LE(row["latency_ms"]["p50"].get<double>(), row["latency_ms"]["p99"].get<double>());
    EXPECT_GT(row["file_bytes"].get<int64_t>(), 0);
    EXPECT_GT(row["images_per_second"].get<double>(), 0.0);
    EXPECT_GT(row["peak_rss_mb"].get<double>(), 0.0);
    double accuracy = row["accuracy"].get<double>();
    EXPECT_GE(accuracy, 0.0);
    EXPECT_LE(accuracy, 1.0);
    on_front += row["pareto"].get<bool>();
  }
  EXPECT_GE(on_front, 1);
}

TEST(Benchmark, a_missing_int8_file_is_a_row_with_the_reason_not_a_failure) {
  BenchmarkReport report = run_benchmark(small_subject(false), quick_options());
  bool found = false;
  for (const BenchmarkRow& row : report.rows) {
    if (row.engine != "xnnpack-int8") continue;
    found = true;
    EXPECT_NE(row.error.find("--int8"), std::string::npos) << row.error;
  }
  EXPECT_TRUE(found);
}

TEST(Benchmark, rows_over_the_latency_limit_are_flagged) {
  BenchmarkOptions options = quick_options();
  options.engines = {"xnnpack"};
  options.batches = {1};
  options.max_latency_ms = 1e-9;
  BenchmarkReport report = run_benchmark(small_subject(false), options);
  ASSERT_EQ(report.rows.size(), 1u);
  EXPECT_TRUE(report.rows[0].over_latency);
  EXPECT_FALSE(report.rows[0].over_ram);
}

// Validation images are outside bytes (a folder, the object store): they are decoded the way the
// device decodes, so a file it would refuse is skipped, not measured nor handed to another decoder.
BenchmarkReport report_with_extra_validation_file(const std::vector<uint8_t>& extra) {
  BenchmarkSubject subject = small_subject(false);
  subject.validation.insert(subject.validation.begin() + kValidationImages / 2,
                            LabeledImage{std::string(extra.begin(), extra.end()), /*label=*/0});
  BenchmarkOptions options = quick_options();
  options.engines = {"xnnpack"};
  options.batches = {1};
  return run_benchmark(subject, options);
}

TEST(Benchmark, a_validation_image_in_a_format_the_device_refuses_is_skipped) {
  // PGM decodes through cv::imdecode but is not one of the device's five formats.
  const BenchmarkReport report = report_with_extra_validation_file(testing::encode_image(".pgm", testing::noise_image(1, 28, 28, 1)));
  EXPECT_EQ(report.validation_images, kValidationImages);
  ASSERT_EQ(report.rows.size(), 1u);
  EXPECT_EQ(report.rows[0].error, "");
}

TEST(Benchmark, a_dicom_validation_file_is_skipped_without_reaching_gdcm) {
  // Through cv::imdecode, Debian's OpenCV hands it to GDCM, which aborts the process.
  const BenchmarkReport report = report_with_extra_validation_file(testing::dicom_like_bytes());
  EXPECT_EQ(report.validation_images, kValidationImages);
  ASSERT_EQ(report.rows.size(), 1u);
  EXPECT_EQ(report.rows[0].error, "");
}

TEST(Benchmark, pareto_front_keeps_only_undominated_rows) {
  std::vector<BenchmarkRow> rows(3);
  rows[0].p50_ms = 1.0, rows[0].accuracy = 0.90;   // fastest
  rows[1].p50_ms = 2.0, rows[1].accuracy = 0.95;   // most accurate
  rows[2].p50_ms = 3.0, rows[2].accuracy = 0.93;   // slower and less accurate than rows[1]
  mark_pareto_front(rows);
  EXPECT_TRUE(rows[0].pareto);
  EXPECT_TRUE(rows[1].pareto);
  EXPECT_FALSE(rows[2].pareto);
}

}  // namespace
}  // namespace edgeloop
