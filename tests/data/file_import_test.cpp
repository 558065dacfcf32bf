// Folder, CSV, video and capture imports, and every kind of bad input they must survive.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "data_test_support.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/registry/dataset_store.h"
#include "support/hostile_images.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;
using testing::TestWorkspace;

using testing::named;

std::map<std::string, std::string> reasons_by_path(const ImportResult& result) {
  std::map<std::string, std::string> reasons;
  for (const auto& reject : result.rejects) reasons[reject.path] = reject.reason;
  return reasons;
}

TEST(FolderImport, subfolders_are_classes_in_any_supported_format_gray_or_colour) {
  TestWorkspace test;
  const fs::path source = test.dir / "images";
  testing::write_image(source / "cat" / "a.png", testing::seeded_image(1, 10, 12, 3));
  testing::write_image(source / "cat" / "b.jpg", testing::seeded_image(2, 20, 20, 3));
  testing::write_image(source / "dog" / "c.bmp", testing::seeded_image(3, 9, 9, 1));
  testing::write_image(source / "dog" / "nested" / "d.tiff", testing::seeded_image(4, 7, 5, 3));
  testing::write_image(source / "dog" / "e.webp", testing::seeded_image(5, 16, 16, 3));
  const ImportResult result = import_dataset(test.workspace, test.registry, source, named("pets"));
  EXPECT_EQ(result.format, "folder");
  EXPECT_TRUE(result.rejects.empty()) << result.rejects.front().path << ": " << result.rejects.front().reason;
  EXPECT_EQ(result.imported, 5);
  EXPECT_EQ(result.version.classes, (std::vector<std::string>{"cat", "dog"}));
  DatasetStore store(test.registry);
  std::map<std::string, int> formats;
  for (const auto& sample : store.samples(result.version.id)) ++formats[store.object(sample.object_hash)->format];
  EXPECT_EQ(formats, (std::map<std::string, int>{{"bmp", 1}, {"jpg", 1}, {"png", 1}, {"tiff", 1}, {"webp", 1}}));
}

TEST(FolderImport, bad_files_are_skipped_with_reasons_and_recorded) {
  TestWorkspace test;
  const fs::path source = test.dir / "images";
  testing::write_image(source / "ok" / "good.png", testing::seeded_image(1));
  write_file_atomically(source / "ok" / "empty.png", std::string_view(""));
  write_file_atomically(source / "ok" / "text.png", std::string_view("this is not an image at all"));
  write_file_atomically(source / "ok" / "notes.txt", std::string_view("hello"));
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", testing::seeded_image(2, 64, 64, 3), jpeg);
  write_file_atomically(source / "ok" / "cut.jpg", std::string_view(reinterpret_cast<const char*>(jpeg.data()), jpeg.size() / 2));
  write_file_atomically(source / "ok" / "huge.png", testing::png_claiming_size(10000, 6000));  // 60 MP by its header
  const ImportResult result = import_dataset(test.workspace, test.registry, source, named("mixed"));
  EXPECT_EQ(result.imported, 1);
  auto reasons = reasons_by_path(result);
  ASSERT_EQ(reasons.size(), 5u);
  EXPECT_EQ(reasons["ok/empty.png"], "empty file");
  EXPECT_NE(reasons["ok/text.png"].find("not an image"), std::string::npos);
  EXPECT_NE(reasons["ok/notes.txt"].find("not an image file type"), std::string::npos);
  EXPECT_NE(reasons["ok/cut.jpg"].find("truncated"), std::string::npos);
  EXPECT_NE(reasons["ok/huge.png"].find("(60.0 MP), over the 50.0 MP limit"), std::string::npos) << reasons["ok/huge.png"];
  // The rejects are recorded with the version.
  const auto imports = DatasetStore(test.registry).imports(result.version.id);
  ASSERT_EQ(imports.size(), 1u);
  EXPECT_EQ(imports[0].rejects.size(), 5u);
}

// 7000×7000 is under the cap: the file's size is what shows the header lies, before libpng would
// allocate 49 MB and fail on the missing data.
TEST(FolderImport, a_header_declaring_more_pixels_than_the_file_holds_is_rejected_before_decoding) {
  TestWorkspace test;
  const fs::path source = test.dir / "images";
  testing::write_image(source / "ok" / "good.png", testing::seeded_image(1));
  write_file_atomically(source / "ok" / "liar.png", testing::png_claiming_size(7000, 7000));
  const ImportResult result = import_dataset(test.workspace, test.registry, source, named("liars"));
  EXPECT_EQ(result.imported, 1);
  auto reasons = reasons_by_path(result);
  EXPECT_NE(reasons["ok/liar.png"].find("truncated or corrupt png (its header declares 7000x7000"), std::string::npos)
      << reasons["ok/liar.png"];
}

TEST(FolderImport, strict_fails_on_any_reject_and_stores_nothing) {
  TestWorkspace test;
  const fs::path source = test.dir / "images";
  for (int index = 0; index < 5; ++index) testing::write_image(source / "a" / (std::to_string(index) + ".png"), testing::seeded_image(index));
  write_file_atomically(source / "a" / "broken.png", std::string_view("\x89PNG\r\n\x1a\n broken"));
  ImportOptions options = named("strict");
  options.strict = true;
  EXPECT_THROW(import_dataset(test.workspace, test.registry, source, options), Error);
  EXPECT_TRUE(DatasetStore(test.registry).dataset_names().empty());
  size_t stored = 0;
  for (const auto& entry : fs::recursive_directory_iterator(test.workspace.objects_dir())) stored += entry.is_regular_file();
  EXPECT_EQ(stored, 0u);
}

TEST(FolderImport, nothing_importable_fails_but_records_the_rejects) {
  TestWorkspace test;
  write_file_atomically(test.dir / "images" / "a" / "x.png", std::string_view(""));
  EXPECT_THROW(import_dataset(test.workspace, test.registry, test.dir / "images", named("none")), Error);
  EXPECT_TRUE(DatasetStore(test.registry).dataset_names().empty());
  EXPECT_EQ(test.registry.database().execAndGet("SELECT COUNT(*) FROM rejects").getInt(), 1);
}

TEST(FolderImport, identical_images_are_stored_once_and_reported) {
  TestWorkspace test;
  const fs::path source = test.dir / "images";
  testing::write_image(source / "a" / "one.png", testing::seeded_image(1));
  fs::create_directories(source / "b");
  fs::copy_file(source / "a" / "one.png", source / "b" / "copy.png");
  testing::write_image(source / "b" / "two.png", testing::seeded_image(2));
  const ImportResult result = import_dataset(test.workspace, test.registry, source, named("dups"));
  EXPECT_EQ(result.imported, 2);
  ASSERT_EQ(result.duplicates.size(), 1u);
  EXPECT_EQ(result.duplicates[0].path, "b/copy.png");
  EXPECT_EQ(result.duplicates[0].duplicate_of, "a/one.png");
  EXPECT_TRUE(result.duplicates[0].label_differs);
}

TEST(FolderImport, symlink_loops_and_unreadable_folders_do_not_abort) {
  TestWorkspace test;
  const fs::path source = test.dir / "images";
  testing::write_image(source / "a" / "one.png", testing::seeded_image(1));
  fs::create_directory_symlink(source / "a", source / "a" / "loop");
  fs::create_directories(source / "b" / "locked");
  testing::write_image(source / "b" / "two.png", testing::seeded_image(2));
  fs::permissions(source / "b" / "locked", fs::perms::none);
  const ImportResult result = import_dataset(test.workspace, test.registry, source, named("odd"));
  fs::permissions(source / "b" / "locked", fs::perms::owner_all);
  EXPECT_EQ(result.imported, 2);
  auto reasons = reasons_by_path(result);
  EXPECT_NE(reasons["a/loop"].find("symlink loop"), std::string::npos);
  if (::geteuid() != 0) EXPECT_NE(reasons["b/locked"].find("unreadable folder"), std::string::npos);  // root reads anything
}

TEST(CsvImport, rows_are_relative_to_the_manifest_and_escapes_are_refused_row_by_row) {
  TestWorkspace test;
  const fs::path base = test.dir / "set";
  testing::write_image(base / "img" / "a.png", testing::seeded_image(1));
  testing::write_image(base / "img" / "b.png", testing::seeded_image(2));
  testing::write_image(base / "img" / "c.png", testing::seeded_image(3));
  testing::write_image(test.dir / "outside.png", testing::seeded_image(4));
  fs::create_directory_symlink(test.dir.path(), base / "up");
  write_file_atomically(base / "manifest.csv", std::string_view(
      "path,label\nimg/a.png,cat\n\"img/b.png\",dog\nimg/c.png,\n../outside.png,cat\n" + (test.dir / "outside.png").string() +
      ",cat\nimg/../../outside.png,dog\nup/outside.png,dog\nimg/missing.png,cat\n"));
  const ImportResult result = import_dataset(test.workspace, test.registry, base / "manifest.csv", named("csv"));
  EXPECT_EQ(result.format, "csv");
  EXPECT_EQ(result.imported, 3);
  ASSERT_EQ(result.rejects.size(), 5u);
  EXPECT_NE(result.rejects[0].reason.find("leaves the manifest's folder"), std::string::npos);
  EXPECT_NE(result.rejects[1].reason.find("absolute path refused"), std::string::npos);
  EXPECT_NE(result.rejects[2].reason.find("leaves the manifest's folder"), std::string::npos);
  EXPECT_NE(result.rejects[3].reason.find("symlink"), std::string::npos);
  EXPECT_NE(result.rejects[4].reason.find("unreadable"), std::string::npos);
  int unlabeled = 0;
  for (const auto& sample : DatasetStore(test.registry).samples(result.version.id)) unlabeled += sample.label < 0;
  EXPECT_EQ(unlabeled, 1);
}

TEST(VideoImport, keeps_every_nth_frame_as_an_unlabeled_set) {
  TestWorkspace test;
  const fs::path video = test.dir / "clip.avi";
  constexpr int kFrames = 20;
  {
    cv::VideoWriter writer(video.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(32, 24));
    ASSERT_TRUE(writer.isOpened());
    for (int frame = 0; frame < kFrames; ++frame) writer.write(cv::Mat(24, 32, CV_8UC3, cv::Scalar(frame * 12, 40, 200 - frame * 5)));
  }
  ImportOptions options = named("clip");
  options.video_every = 5;
  const ImportResult result = import_dataset(test.workspace, test.registry, video, options);
  EXPECT_EQ(result.format, "video");
  EXPECT_EQ(result.imported, 4);
  std::vector<std::string> origins;
  for (const auto& sample : DatasetStore(test.registry).samples(result.version.id)) {
    EXPECT_EQ(sample.label, -1);
    origins.push_back(sample.origin);
  }
  std::sort(origins.begin(), origins.end());
  EXPECT_EQ(origins, (std::vector<std::string>{"clip.avi#frame=0", "clip.avi#frame=10", "clip.avi#frame=15", "clip.avi#frame=5"}));
  ImportOptions by_rate = named("clip2");
  by_rate.video_rate = 2;  // 10 fps video: every 5th frame
  EXPECT_EQ(import_dataset(test.workspace, test.registry, video, by_rate).imported, 4);
}

// OpenCV's CAP_ANY read a file that FFmpeg refused as an image through cv::imread: a DICOM file
// named .mp4 went to GDCM, whose assert aborted the import. It is refused as a video.
TEST(VideoImport, a_dicom_file_named_as_a_video_is_refused_without_reaching_gdcm) {
  TestWorkspace test;
  const fs::path video = test.dir / "clip.mp4";
  const std::vector<uint8_t> dicom = testing::dicom_like_bytes();
  write_file_atomically(video, std::string_view(reinterpret_cast<const char*>(dicom.data()), dicom.size()));
  try {
    import_dataset(test.workspace, test.registry, video, named("clip"));
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("cannot open video"), std::string::npos) << error.what();
  }
}

TEST(CaptureImport, sidecar_label_becomes_the_suggested_label_of_an_unlabeled_sample) {
  TestWorkspace test;
  const fs::path source = test.dir / "capture";
  testing::write_image(source / "0001.png", testing::seeded_image(1));
  write_file_atomically(source / "0001.json", std::string_view(
      R"({"label": "Bag", "score": 0.41, "reason": "low_confidence", "model_id": "m1", "ts": "2026-11-25T12:00:00Z"})"));
  testing::write_image(source / "0002.jpg", testing::seeded_image(2, 16, 16, 3));
  write_file_atomically(source / "0002.json", std::string_view(R"({"label": "Coat", "score": 0.2, "reason": "drift"})"));
  testing::write_image(source / "0003.png", testing::seeded_image(3));
  write_file_atomically(source / "0003.json", std::string_view("{not json"));
  const ImportResult result = import_dataset(test.workspace, test.registry, source, named("field"));
  EXPECT_EQ(result.format, "capture");
  EXPECT_EQ(result.imported, 2);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_NE(result.rejects[0].reason.find("not valid JSON"), std::string::npos);
  std::map<std::string, std::string> suggested;
  for (const auto& sample : DatasetStore(test.registry).samples(result.version.id)) {
    EXPECT_EQ(sample.label, -1);
    suggested[sample.origin] = Json::parse(sample.suggested)["label"];
  }
  EXPECT_EQ(suggested, (std::map<std::string, std::string>{{"0001.png", "Bag"}, {"0002.jpg", "Coat"}}));
}

TEST(Import, add_keeps_old_samples_and_reports_repeats_as_duplicates) {
  TestWorkspace test;
  testing::write_image(test.dir / "a" / "x" / "1.png", testing::seeded_image(1));
  testing::write_image(test.dir / "b" / "x" / "1.png", testing::seeded_image(1));
  testing::write_image(test.dir / "b" / "y" / "2.png", testing::seeded_image(2));
  import_dataset(test.workspace, test.registry, test.dir / "a", named("grow"));
  ImportOptions add = named("grow");
  add.add = true;
  const ImportResult result = import_dataset(test.workspace, test.registry, test.dir / "b", add);
  EXPECT_EQ(result.total, 2);
  EXPECT_EQ(result.imported, 1);
  EXPECT_EQ(result.duplicates.size(), 1u);
  EXPECT_EQ(result.version.classes, (std::vector<std::string>{"x", "y"}));
}

TEST(Import, missing_source_and_bad_names_fail_clearly) {
  TestWorkspace test;
  EXPECT_THROW(import_dataset(test.workspace, test.registry, test.dir / "nope", named("n")), Error);
  testing::write_image(test.dir / "a" / "x" / "1.png", testing::seeded_image(1));
  EXPECT_THROW(import_dataset(test.workspace, test.registry, test.dir / "a", named("bad name!")), Error);
  ImportOptions add = named("absent");
  add.add = true;
  EXPECT_THROW(import_dataset(test.workspace, test.registry, test.dir / "a", add), Error);
}

}  // namespace
}  // namespace edgeloop
