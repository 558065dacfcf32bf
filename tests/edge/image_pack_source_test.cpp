// sim: on the device streams an image pack that `edgeloop data export` wrote from a workspace
// dataset (data/dataset_export.h → core/image_pack.h → edge/image_pack_source.h).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/image_pack.h"
#include "edgeloop/data/dataset_export.h"
#include "edgeloop/edge/frame_source.h"
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

class ImagePackSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    workspace_ = Workspace::init(temp_.path());
    testing::TinyDatasetOptions options;
    options.classes = 2;
    options.train_per_class = 4;
    options.val_per_class = 2;
    options.test_per_class = 1;
    testing::make_tiny_dataset(*workspace_, "tiny", options);
  }
  // The pack of `reference`, written the way `edgeloop data export` writes it.
  std::string pack(const std::string& reference) {
    const std::filesystem::path file = temp_ / ("pack-" + std::to_string(packs_++) + ".pack");
    export_dataset(*workspace_, reference, file);
    return file.string();
  }
  TempDir temp_;
  std::optional<Workspace> workspace_;
  int packs_ = 0;
};

TEST_F(ImagePackSourceTest, sim_pack_streams_every_image_of_the_newest_version) {
  const std::string file = pack("tiny");
  auto source = open_frame_source("sim:" + file, SourceOptions{});
  const Drained drained = drain(*source);
  EXPECT_EQ(drained.sums.size(), 14u);
  EXPECT_EQ(drained.skipped, 0);
  EXPECT_FALSE(source->is_live());
  EXPECT_NE(source->description().find("tiny@1"), std::string::npos) << source->description();
}

TEST_F(ImagePackSourceTest, frames_of_a_pack_exported_from_labelled_data_carry_their_true_class_and_position) {
  SourceOptions options;
  options.loop = true;
  options.corruption = parse_frame_corruption("contrast:0.35@1");
  auto source = open_frame_source("sim:" + pack("tiny:val"), options);
  const ImagePack stored = ImagePack::open(pack("tiny:val"));
  ASSERT_EQ(stored.size(), 4u);
  for (int64_t frame = 0; frame < 6; ++frame) {
    const ReadResult result = source->read();
    ASSERT_EQ(result.status, ReadStatus::kFrame);
    EXPECT_EQ(result.frame.item, frame % 4);   // the position in the pack, also when it loops
    EXPECT_EQ(result.frame.truth, stored.truth(frame % 4));
  }
  std::set<std::string> classes;
  for (size_t image = 0; image < stored.size(); ++image) classes.insert(stored.truth(image));
  EXPECT_EQ(classes.size(), 2u);   // both classes of the tiny dataset, none empty
  EXPECT_FALSE(classes.count(""));
}

TEST_F(ImagePackSourceTest, a_pack_without_labels_reports_no_truth) {
  const std::filesystem::path file = temp_ / "unlabelled.pack";
  const ImagePack labelled = ImagePack::open(pack("tiny:val"));
  write_image_pack(file, "handmade", {std::string(labelled.image(0))});
  const ReadResult result = open_frame_source("sim:" + file.string(), SourceOptions{})->read();
  ASSERT_EQ(result.status, ReadStatus::kFrame);
  EXPECT_EQ(result.frame.truth, "");
  EXPECT_EQ(result.frame.item, 0);
}

TEST_F(ImagePackSourceTest, a_pack_is_a_source_without_sim_too) {
  EXPECT_EQ(drain(*open_frame_source(pack("tiny:val"), SourceOptions{})).sums.size(), 4u);
}

TEST_F(ImagePackSourceTest, a_split_exports_its_images_only) {
  EXPECT_EQ(drain(*open_frame_source("sim:" + pack("tiny@1:train"), SourceOptions{})).sums.size(), 8u);
  EXPECT_EQ(drain(*open_frame_source("sim:" + pack("tiny:val"), SourceOptions{})).sums.size(), 4u);
  EXPECT_EQ(drain(*open_frame_source("sim:" + pack("tiny:test"), SourceOptions{})).sums.size(), 2u);
  EXPECT_EQ(drain(*open_frame_source("sim:" + pack("tiny:test:holdout"), SourceOptions{})).sums.size(), 2u);
  EXPECT_THROW(pack("tiny:test:absent"), Error);
  EXPECT_THROW(pack("tiny:everything"), Error);
  EXPECT_THROW(pack("absent"), Error);
}

TEST_F(ImagePackSourceTest, corruption_applies_to_pack_frames) {
  SourceOptions options;
  options.corruption = parse_frame_corruption("black@3");
  const Drained drained = drain(*open_frame_source("sim:" + pack("tiny:train"), options));
  ASSERT_EQ(drained.sums.size(), 8u);
  for (size_t frame = 0; frame < 3; ++frame) EXPECT_GT(drained.sums[frame], 0.0);
  for (size_t frame = 3; frame < drained.sums.size(); ++frame) EXPECT_EQ(drained.sums[frame], 0.0);
}

TEST_F(ImagePackSourceTest, an_altered_pack_is_refused_naming_the_file_and_the_fix) {
  const std::string file = pack("tiny:val");
  std::string bytes = read_file(file);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
  write_file_atomically(file, bytes);
  try {
    open_frame_source("sim:" + file, SourceOptions{});
    FAIL() << "no error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
    EXPECT_NE(message.find(file + ": sha256 mismatch"), std::string::npos) << message;
    EXPECT_NE(message.find("edgeloop data export"), std::string::npos) << message;
  }
}

TEST_F(ImagePackSourceTest, a_truncated_pack_is_refused) {
  const std::string file = pack("tiny:val");
  const std::string bytes = read_file(file);
  write_file_atomically(file, std::string_view(bytes).substr(0, bytes.size() - 10));
  EXPECT_THROW(ImagePack::open(file), Error);
}

TEST_F(ImagePackSourceTest, an_image_that_does_not_decode_is_skipped_and_the_stream_goes_on) {
  const std::filesystem::path file = temp_ / "damaged.pack";
  const ImagePack good = ImagePack::open(pack("tiny:val"));
  write_image_pack(file, "handmade", {std::string(good.image(0)), "not an image", std::string(good.image(1))});
  const Drained drained = drain(*open_frame_source("sim:" + file.string(), SourceOptions{}));
  EXPECT_EQ(drained.skipped, 1);
  EXPECT_EQ(drained.sums.size(), 2u);
}

TEST_F(ImagePackSourceTest, a_dataset_name_says_how_to_export_it) {
  try {
    open_frame_source("sim:tiny:val", SourceOptions{});
    FAIL() << "no error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("edgeloop data export tiny:val --out FILE"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST(DatasetSplitReference, parses_name_version_and_split) {
  EXPECT_EQ(parse_dataset_split_reference("fashion").dataset, "fashion");
  EXPECT_EQ(parse_dataset_split_reference("fashion@3:val").dataset, "fashion@3");
  EXPECT_EQ(parse_dataset_split_reference("fashion@3:val").split_filter, "val");
  EXPECT_EQ(parse_dataset_split_reference("fashion:test").split_filter, "test:");
  EXPECT_EQ(parse_dataset_split_reference("fashion:test:official").split_filter, "test:official");
  EXPECT_THROW(parse_dataset_split_reference(":val"), Error);
}

}  // namespace
}  // namespace edgeloop
