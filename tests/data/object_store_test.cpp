#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "data_test_support.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/data/object_store.h"

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

}  // namespace
}  // namespace edgeloop
