#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "data_test_support.h"
#include "edgeloop/data/dataset_stats.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/perceptual_hash.h"
#include "edgeloop/data/preview.h"
#include "edgeloop/data/split.h"

#include <opencv2/imgcodecs.hpp>

namespace edgeloop {
namespace {

using testing::TestWorkspace;

void import_folder(TestWorkspace& test, const std::string& name) {
  ImportOptions import;
  import.name = name;
  import.threads = 2;
  import_dataset(test.workspace, test.registry, test.dir / "img", import);
}

TEST(Stats, json_has_counts_per_class_and_split_and_the_imbalance) {
  TestWorkspace test;
  for (int index = 0; index < 30; ++index) {
    testing::write_image(test.dir / "img" / (index < 10 ? "small" : "large") / (std::to_string(index) + ".png"),
                         testing::seeded_image(index, 12, 10));
  }
  import_folder(test, "s");
  Json before = dataset_stats(test.workspace, test.registry, "s");
  EXPECT_EQ(before["total"], 30);
  EXPECT_EQ(before["classes"]["small"]["total"], 10);
  EXPECT_EQ(before["classes"]["small"]["train"], 0);  // not split yet
  EXPECT_DOUBLE_EQ(before["imbalance_ratio"].get<double>(), 2.0);
  EXPECT_TRUE(before["imbalance_warning"].get<bool>());
  EXPECT_EQ(before["images"]["sizes"]["10x12"], 30);
  EXPECT_EQ(before["images"]["channels"]["1"], 30);
  EXPECT_GT(before["classes"]["large"]["contrast"].get<double>(), 0.0);

  SplitOptions split;
  split.val_fraction = 0.1;
  split.test_sets = {{"a", 0.1}, {"b", 0.1}};
  split_dataset(test.registry, "s", split);
  Json after = dataset_stats(test.workspace, test.registry, "s");
  EXPECT_EQ(after["version"], 2);
  EXPECT_EQ(after["classes"]["large"]["val"], 2);
  EXPECT_EQ(after["classes"]["large"]["test"], 4);  // the sum of the two test sets
  EXPECT_EQ(after["classes"]["large"]["test_sets"]["a"], 2);
  EXPECT_EQ(after["classes"]["large"]["test_sets"]["b"], 2);
  EXPECT_EQ(after["classes"]["large"]["train"], 14);
}

TEST(Stats, identical_pixels_in_two_files_across_splits_are_reported_as_leakage) {
  TestWorkspace test;
  const cv::Mat image = testing::seeded_image(3, 16, 16, 3);
  testing::write_image(test.dir / "img" / "a" / "x.png", image);
  testing::write_image(test.dir / "img" / "a" / "x.bmp", image);  // same pixels, different bytes
  for (int index = 10; index < 30; ++index) testing::write_image(test.dir / "img" / "a" / (std::to_string(index) + ".png"), testing::seeded_image(index, 16, 16, 3));
  import_folder(test, "leak");
  // Find a seed whose split puts the two copies apart.
  for (uint64_t seed = 0; seed < 50; ++seed) {
    SplitOptions split;
    split.val_fraction = 0.5;
    split.test_sets = {};
    split.seed = seed;
    split_dataset(test.registry, "leak@1", split);
    const Json stats = dataset_stats(test.workspace, test.registry, "leak");
    if (stats["duplicates"]["identical_across_splits"] == 1) {
      EXPECT_GE(stats["duplicates"]["near_across_splits"].get<int>(), 1);
      EXPECT_FALSE(stats["warnings"].empty());
      return;
    }
  }
  FAIL() << "no seed separated the two copies";
}

TEST(PerceptualHash, a_slightly_changed_image_is_a_near_duplicate_and_a_different_one_is_not) {
  cv::Mat base(64, 64, CV_8UC1);
  cv::RNG(1).fill(base, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(base, base, cv::Size(9, 9), 0);
  cv::Mat brighter;
  base.convertTo(brighter, CV_8U, 1.0, 2);
  cv::Mat other(64, 64, CV_8UC1);
  cv::RNG(2).fill(other, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(other, other, cv::Size(9, 9), 0);
  const auto pairs = near_duplicate_pairs({image_fingerprint(base), image_fingerprint(brighter), image_fingerprint(other)}, 3, 6.0, 100);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0], (std::pair<size_t, size_t>{0, 1}));
}

TEST(Preview, grid_has_one_row_per_class) {
  TestWorkspace test;
  for (int index = 0; index < 9; ++index) {
    testing::write_image(test.dir / "img" / ("c" + std::to_string(index % 3)) / (std::to_string(index) + ".png"), testing::seeded_image(index));
  }
  import_folder(test, "p");
  PreviewOptions options;
  options.pipeline = Pipeline::default_for({1, 28, 28});
  options.per_class = 4;
  options.cell_pixels = 32;
  const PreviewResult result = write_preview_grid(test.workspace, test.registry, "p", test.dir / "grid.png", options);
  EXPECT_EQ(result.rows, 3);
  EXPECT_EQ(result.images, 9);
  const cv::Mat grid = cv::imread((test.dir / "grid.png").string());
  ASSERT_FALSE(grid.empty());
  EXPECT_EQ(grid.rows, 3 * (32 + 2) + 2);
}

}  // namespace
}  // namespace edgeloop
