#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "data_test_support.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/data/object_store.h"
#include "support/hostile_images.h"

namespace edgeloop {
namespace {

std::vector<uint8_t> encoded(const std::string& extension, const cv::Mat& image) {
  std::vector<uint8_t> bytes;
  cv::imencode(extension, image, bytes);
  return bytes;
}

TEST(ObjectStore, identical_bytes_are_stored_once_under_their_sha256) {
  testing::TestWorkspace test;
  ObjectStore objects(test.workspace);
  const auto png = encoded(".png", testing::seeded_image(1, 5, 7, 3));
  const PutResult first = objects.put(png);
  const PutResult second = objects.put(png, FileSync::kDeferred);
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(first.hash, sha256_hex(png));
  EXPECT_EQ(test.workspace.object_path(first.hash).parent_path().filename(), first.hash.substr(0, 2));
  const cv::Mat decoded = objects.decode(first.hash);
  EXPECT_EQ(cv::norm(decoded, testing::seeded_image(1, 5, 7, 3), cv::NORM_INF), 0);
  EXPECT_TRUE(objects.verify(first.hash));
  objects.sync();
}

TEST(ObjectStore, missing_and_damaged_objects_fail_clearly) {
  testing::TestWorkspace test;
  ObjectStore objects(test.workspace);
  EXPECT_THROW(objects.decode(std::string(64, 'a')), Error);
  const PutResult stored = objects.put(encoded(".png", testing::seeded_image(2)));
  write_file_atomically(test.workspace.object_path(stored.hash), std::string_view("garbage"));
  EXPECT_FALSE(objects.verify(stored.hash));
  try {
    objects.decode(stored.hash);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
  }
}

// The store's folder can be altered after an import; a planted DICOM file must not reach GDCM
// (Debian's OpenCV decodes DICOM, and a garbage one aborts the process).
TEST(ObjectStore, an_object_that_is_not_an_accepted_image_is_refused_as_corrupt_not_decoded) {
  testing::TestWorkspace test;
  ObjectStore objects(test.workspace);
  const PutResult stored = objects.put(testing::dicom_like_bytes());
  try {
    objects.decode(stored.hash);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(error.what()).find("not an image (no PNG, JPEG, BMP, TIFF or WebP header)"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace edgeloop
