#include <gtest/gtest.h>

#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/edge/dataset_source.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registry.h"
#include "support/temp_dir.h"
#include "train/tiny_dataset.h"

namespace edgeloop {
namespace {

using testing::TempDir;

// Reads a source to its end: the frames' pixel sums (distinct per image here) and the count of skips.
struct Drained {
  std::vector<double> sums;
  int skipped = 0;
};
Drained drain(FrameSource& source) {
  Drained drained;
  while (true) {
    ReadResult result = source.read();
    if (result.status == ReadStatus::kEnd) break;
    if (result.status == ReadStatus::kSkipped) ++drained.skipped;
    if (result.status == ReadStatus::kFrame) drained.sums.push_back(cv::sum(result.frame.image)[0]);
  }
  return drained;
}

class DatasetSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    workspace_ = Workspace::init(temp_.path());
    testing::TinyDatasetOptions options;
    options.classes = 2;
    options.train_per_class = 4;
    options.val_per_class = 2;
    options.test_per_class = 1;
    testing::make_tiny_dataset(*workspace_, "tiny", options);
    options.seed = 2;
    testing::make_tiny_dataset(*workspace_, "other", options);
  }
  SourceOptions in_workspace() const {
    SourceOptions options;
    options.workspace = temp_.path();
    return options;
  }
  TempDir temp_;
  std::optional<Workspace> workspace_;
};

TEST_F(DatasetSourceTest, sim_dataset_streams_every_image_of_the_newest_version) {
  auto source = open_frame_source("sim:tiny", in_workspace());
  const Drained drained = drain(*source);
  EXPECT_EQ(drained.sums.size(), 14u);
  EXPECT_EQ(drained.skipped, 0);
  EXPECT_FALSE(source->is_live());
  EXPECT_NE(source->description().find("dataset tiny@1"), std::string::npos) << source->description();
}

TEST_F(DatasetSourceTest, a_split_selects_its_images_only) {
  EXPECT_EQ(drain(*open_frame_source("sim:tiny@1:train", in_workspace())).sums.size(), 8u);
  EXPECT_EQ(drain(*open_frame_source("sim:tiny:val", in_workspace())).sums.size(), 4u);
  EXPECT_EQ(drain(*open_frame_source("sim:tiny:test", in_workspace())).sums.size(), 2u);
  EXPECT_EQ(drain(*open_frame_source("sim:tiny:test:holdout", in_workspace())).sums.size(), 2u);
  EXPECT_THROW(open_frame_source("sim:tiny:test:absent", in_workspace()), Error);
  EXPECT_THROW(open_frame_source("sim:tiny:everything", in_workspace()), Error);
}

TEST_F(DatasetSourceTest, corruption_applies_to_dataset_frames) {
  SourceOptions options = in_workspace();
  options.corruption = parse_frame_corruption("black@3");
  const Drained drained = drain(*open_frame_source("sim:tiny:train", options));
  ASSERT_EQ(drained.sums.size(), 8u);
  for (size_t frame = 0; frame < 3; ++frame) EXPECT_GT(drained.sums[frame], 0.0);
  for (size_t frame = 3; frame < drained.sums.size(); ++frame) EXPECT_EQ(drained.sums[frame], 0.0);
}

TEST_F(DatasetSourceTest, the_workspace_is_found_upward_from_the_current_directory) {
  const std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::create_directories(temp_ / "deep/er");
  std::filesystem::current_path(temp_ / "deep/er");
  std::unique_ptr<FrameSource> source;
  EXPECT_NO_THROW(source = open_frame_source("sim:other:val", SourceOptions{}));
  std::filesystem::current_path(previous);
  ASSERT_TRUE(source);
  EXPECT_EQ(drain(*source).sums.size(), 4u);
}

TEST_F(DatasetSourceTest, a_missing_object_is_skipped_and_the_stream_goes_on) {
  Registry registry = Registry::open(workspace_->registry_path());
  DatasetStore datasets(registry);
  const std::vector<Sample> samples = datasets.samples(datasets.resolve("tiny").id, "val");
  ObjectStore(*workspace_).remove(samples.front().object_hash);
  const Drained drained = drain(*open_frame_source("sim:tiny:val", in_workspace()));
  EXPECT_EQ(drained.skipped, 1);
  EXPECT_EQ(drained.sums.size(), 3u);
}

TEST_F(DatasetSourceTest, a_name_that_is_neither_path_nor_dataset_names_both_possibilities) {
  try {
    open_frame_source("sim:absent", in_workspace());
    FAIL() << "no error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("no folder or video file 'absent'"), std::string::npos) << message;
    EXPECT_NE(message.find("no dataset 'absent'"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST(DatasetSourceSpec, parses_name_version_and_split) {
  EXPECT_EQ(parse_dataset_source_spec("fashion").dataset, "fashion");
  EXPECT_EQ(parse_dataset_source_spec("fashion@3:val").dataset, "fashion@3");
  EXPECT_EQ(parse_dataset_source_spec("fashion@3:val").split_filter, "val");
  EXPECT_EQ(parse_dataset_source_spec("fashion:test").split_filter, "test:");
  EXPECT_EQ(parse_dataset_source_spec("fashion:test:official").split_filter, "test:official");
  EXPECT_THROW(parse_dataset_source_spec(":val"), Error);
}

}  // namespace
}  // namespace edgeloop
