#include <gtest/gtest.h>

#include <fstream>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/edge/bundle_inbox.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

// A bundle folder with model.onnx of `model_bytes` and its manifest, as export writes it.
Bundle write_test_bundle(const std::filesystem::path& directory, const std::string& model_id, const std::string& model_bytes) {
  Bundle bundle;
  bundle.directory = directory;
  std::filesystem::create_directories(directory);
  write_file_atomically(directory / kBundleFp32ModelName, model_bytes);
  bundle.model_id = model_id;
  bundle.labels = {"a", "b"};
  bundle.files = {{kBundleFp32ModelName, {}}};
  write_bundle_manifest(bundle);
  return bundle;
}

Error error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return internal_error("none");
}

class BundleInboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bundle_ = write_test_bundle(temp_ / "exported", "m-1", std::string(3000, 'x'));
    manifest_ = read_file(temp_ / "exported" / kBundleManifestName);
  }
  testing::TempDir temp_;
  Bundle bundle_;
  std::string manifest_;
  BundleInbox inbox_{temp_ / "store"};
};

TEST_F(BundleInboxTest, a_bundle_sent_in_chunks_is_published_whole_and_loads) {
  EXPECT_EQ(inbox_.receive("m-1", "bundle.json", 0, manifest_), static_cast<int64_t>(manifest_.size()));
  const std::string model = read_file(temp_ / "exported" / kBundleFp32ModelName);
  EXPECT_EQ(inbox_.receive("m-1", "model.onnx", 0, model.substr(0, 1000)), 1000);
  EXPECT_EQ(inbox_.receive("m-1", "model.onnx", 1000, model.substr(1000)), 3000);
  const std::filesystem::path published = inbox_.publish("m-1");
  EXPECT_EQ(published, temp_ / "store" / "m-1");
  EXPECT_EQ(load_bundle(published).model_id, "m-1");
  EXPECT_FALSE(std::filesystem::exists(temp_ / "store" / "incoming" / "m-1"));
}

TEST_F(BundleInboxTest, a_chunk_at_the_wrong_offset_is_refused_naming_where_to_resume) {
  inbox_.receive("m-1", "bundle.json", 0, manifest_);
  inbox_.receive("m-1", "model.onnx", 0, std::string(1000, 'x'));
  const Error error = error_of([&] { inbox_.receive("m-1", "model.onnx", 500, std::string(10, 'x')); });
  EXPECT_EQ(error.code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(std::string(error.what()).find("resume at offset 1000"), std::string::npos) << error.what();
  EXPECT_EQ(inbox_.received("m-1").at("model.onnx"), std::make_pair(int64_t{1000}, int64_t{3000}));
}

TEST_F(BundleInboxTest, names_that_are_not_plain_or_not_listed_and_bytes_beyond_the_declared_size_are_refused) {
  for (const std::string id : {"..", "../etc", "a/b", ".hidden", ""}) {
    EXPECT_EQ(error_of([&] { inbox_.receive(id, "bundle.json", 0, manifest_); }).code(), ErrorCode::kInvalidArgument) << id;
  }
  EXPECT_EQ(error_of([&] { inbox_.receive("m-1", "model.onnx", 0, "x"); }).code(), ErrorCode::kInvalidArgument)
      << "a file before bundle.json";
  inbox_.receive("m-1", "bundle.json", 0, manifest_);
  EXPECT_EQ(error_of([&] { inbox_.receive("m-1", "notes.txt", 0, "x"); }).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_of([&] { inbox_.receive("m-1", "..", 0, "x"); }).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_of([&] { inbox_.receive("m-1", "model.onnx", 0, std::string(3001, 'x')); }).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(temp_ / "store" / "incoming" / "m-1" / "notes.txt"));
  EXPECT_FALSE(std::filesystem::exists(temp_ / "store" / "incoming" / "m-1" / "model.onnx"));
}

TEST_F(BundleInboxTest, a_manifest_declaring_more_than_the_limit_is_refused_before_any_file_arrives) {
  BundleInbox small(temp_ / "small", BundleInboxLimits{.max_bundle_bytes = 2000});
  small.receive("m-1", "bundle.json", 0, manifest_);
  const Error error = error_of([&] { small.receive("m-1", "model.onnx", 0, "x"); });
  EXPECT_NE(std::string(error.what()).find("too large for this device"), std::string::npos) << error.what();
}

// Sizes near 2^63 made the running total overflow (undefined behaviour; it wrapped below the
// limit, so a pushed file could then fill the disk), and a size that is not a number escaped as
// nlohmann's type_error (HTTP 500) instead of one line.
TEST_F(BundleInboxTest, a_manifest_whose_sizes_overflow_or_are_not_numbers_is_refused) {
  inbox_.receive("m-2", "bundle.json", 0,
                 R"({"files": {"a.onnx": {"bytes": 100}, "b.onnx": {"bytes": 9223372036854775807}}})");
  const Error overflow = error_of([&] { inbox_.receive("m-2", "b.onnx", 0, "x"); });
  EXPECT_NE(std::string(overflow.what()).find("too large for this device"), std::string::npos) << overflow.what();
  inbox_.receive("m-3", "bundle.json", 0, R"({"files": {"a.onnx": {"bytes": "ten"}}})");
  const Error not_a_number = error_of([&] { inbox_.receive("m-3", "a.onnx", 0, "x"); });
  EXPECT_NE(std::string(not_a_number.what()).find("'a.onnx' has no size"), std::string::npos) << not_a_number.what();
}

TEST_F(BundleInboxTest, an_incomplete_bundle_is_not_published) {
  inbox_.receive("m-1", "bundle.json", 0, manifest_);
  inbox_.receive("m-1", "model.onnx", 0, std::string(2999, 'x'));
  const Error error = error_of([&] { inbox_.publish("m-1"); });
  EXPECT_NE(std::string(error.what()).find("model.onnx has 2999 of 3000 bytes"), std::string::npos) << error.what();
  EXPECT_FALSE(std::filesystem::exists(temp_ / "store" / "m-1"));
}

TEST_F(BundleInboxTest, the_store_keeps_the_newest_bundles_and_the_ones_in_service) {
  BundleInbox inbox(temp_ / "kept", BundleInboxLimits{.keep_published = 2});
  for (const std::string id : {"m-1", "m-2", "m-3", "m-4"}) {
    const Bundle bundle = write_test_bundle(temp_ / ("export-" + id), id, "bytes of " + id);
    inbox.receive(id, "bundle.json", 0, read_file(bundle.directory / kBundleManifestName));
    inbox.receive(id, "model.onnx", 0, read_file(bundle.directory / kBundleFp32ModelName));
    inbox.publish(id, /*keep=*/{"m-1"});
  }
  EXPECT_TRUE(std::filesystem::exists(temp_ / "kept" / "m-1"));    // in service
  EXPECT_FALSE(std::filesystem::exists(temp_ / "kept" / "m-2"));
  EXPECT_FALSE(std::filesystem::exists(temp_ / "kept" / "m-3"));
  EXPECT_TRUE(std::filesystem::exists(temp_ / "kept" / "m-4"));    // the newest
}

}  // namespace
}  // namespace edgeloop
