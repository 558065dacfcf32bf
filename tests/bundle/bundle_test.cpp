#include <gtest/gtest.h>

#include <fstream>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

// A bundle with two small files standing in for the ONNX models.
Bundle write_sample_bundle(const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  write_file_atomically(directory / kBundleFp32ModelName, std::string("fp32 model bytes"));
  write_file_atomically(directory / kBundleInt8ModelName, std::string("int8 model bytes"));
  Bundle bundle;
  bundle.directory = directory;
  bundle.model_id = "m-0123456789ab";
  bundle.arch = "cnn-s";
  bundle.labels = {"shirt", "shoe"};
  bundle.input = InputShape{1, 28, 28};
  bundle.preprocess = Pipeline::default_for(bundle.input);
  bundle.metrics = {{"val_accuracy", 0.9}};
  bundle.created_at = "2026-11-25T13:00:00Z";
  bundle.files = {{kBundleFp32ModelName, {}}, {kBundleInt8ModelName, {}}};
  write_bundle_manifest(bundle);
  return bundle;
}

void flip_one_byte(const std::filesystem::path& file, size_t offset) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  stream.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  stream.read(&byte, 1);
  byte ^= 0x01;
  stream.seekp(static_cast<std::streamoff>(offset));
  stream.write(&byte, 1);
}

std::string load_error(const std::filesystem::path& directory, ErrorCode expected_code) {
  try {
    load_bundle(directory);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), expected_code) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "the bundle loaded";
  return "";
}

TEST(Bundle, written_bundle_loads_with_every_field) {
  testing::TempDir dir;
  write_sample_bundle(dir / "bundle");
  Bundle loaded = load_bundle(dir / "bundle");
  EXPECT_EQ(loaded.model_id, "m-0123456789ab");
  EXPECT_EQ(loaded.labels, (std::vector<std::string>{"shirt", "shoe"}));
  EXPECT_EQ(loaded.input.height, 28);
  EXPECT_EQ(loaded.preprocess.hash(), Pipeline::default_for(InputShape{1, 28, 28}).hash());
  EXPECT_DOUBLE_EQ(loaded.metrics["val_accuracy"].get<double>(), 0.9);
  ASSERT_TRUE(loaded.int8_model().has_value());
  EXPECT_EQ(loaded.int8_model()->filename(), kBundleInt8ModelName);
  EXPECT_FALSE(loaded.weights().has_value());
  EXPECT_EQ(loaded.files.at(kBundleFp32ModelName).bytes, 16);
}

TEST(Bundle, one_changed_byte_in_a_model_is_refused_naming_the_file) {
  testing::TempDir dir;
  write_sample_bundle(dir / "bundle");
  flip_one_byte(dir / "bundle" / kBundleInt8ModelName, 3);
  const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
  EXPECT_NE(message.find("model.int8.onnx: sha256 mismatch"), std::string::npos) << message;
  EXPECT_NE(message.find("re-export"), std::string::npos) << message;
}

TEST(Bundle, edited_manifest_is_refused_naming_bundle_json) {
  testing::TempDir dir;
  write_sample_bundle(dir / "bundle");
  std::string manifest = read_file(dir / "bundle" / kBundleManifestName);
  manifest.replace(manifest.find("\"shoe\""), 6, "\"boot\"");
  write_file_atomically(dir / "bundle" / kBundleManifestName, manifest);
  const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
  EXPECT_NE(message.find("bundle.json"), std::string::npos) << message;
}

TEST(Bundle, missing_listed_file_is_refused_naming_it) {
  testing::TempDir dir;
  write_sample_bundle(dir / "bundle");
  std::filesystem::remove(dir / "bundle" / kBundleFp32ModelName);
  const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
  EXPECT_NE(message.find("model.onnx: listed in bundle.json but missing"), std::string::npos) << message;
}

TEST(Bundle, other_format_version_is_refused_with_the_fix) {
  testing::TempDir dir;
  Bundle bundle = write_sample_bundle(dir / "bundle");
  bundle.format_version = kBundleFormatVersion + 1;
  write_bundle_manifest(bundle);
  const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
  EXPECT_NE(message.find("format version 2"), std::string::npos) << message;
}

// Lists `name` in the manifest (with its real hash) as if a hostile exporter had written it.
void list_file(const std::filesystem::path& directory, const std::string& name) {
  Bundle bundle = load_bundle(directory);
  bundle.files[name] = {};
  write_bundle_manifest(bundle);
}

TEST(Bundle, a_listed_file_outside_the_bundle_is_refused) {
  testing::TempDir dir;
  write_sample_bundle(dir / "bundle");
  write_file_atomically(dir / "secret.txt", std::string("outside"));
  std::filesystem::create_directories(dir / "bundle" / "sub");
  for (const std::string& name : std::vector<std::string>{"../secret.txt", "sub/../../secret.txt", (dir / "secret.txt").string()}) {
    write_sample_bundle(dir / "bundle");
    list_file(dir / "bundle", name);
    const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
    EXPECT_NE(message.find("outside the bundle folder"), std::string::npos) << name << ": " << message;
  }
}

TEST(Bundle, a_listed_symlink_leading_out_of_the_bundle_is_refused) {
  testing::TempDir dir;
  write_sample_bundle(dir / "bundle");
  write_file_atomically(dir / "secret.txt", std::string("outside"));
  std::filesystem::create_symlink(dir / "secret.txt", dir / "bundle" / "labels.txt");
  list_file(dir / "bundle", "labels.txt");
  const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
  EXPECT_NE(message.find("outside the bundle folder"), std::string::npos) << message;
}

TEST(Bundle, a_manifest_of_random_bytes_is_corrupt_naming_it) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "bundle");
  std::string noise;
  for (int index = 0; index < 4096; ++index) noise.push_back(static_cast<char>((index * 7919 + 13) % 256));
  write_file_atomically(dir / "bundle" / kBundleManifestName, noise);
  const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
  EXPECT_NE(message.find("bundle.json: not valid JSON"), std::string::npos) << message;
}

TEST(Bundle, an_input_larger_than_the_resize_cap_is_refused) {
  testing::TempDir dir;
  Bundle bundle = write_sample_bundle(dir / "bundle");
  bundle.input = InputShape{1, 60000, 60000};
  write_bundle_manifest(bundle);
  const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
  EXPECT_NE(message.find("input"), std::string::npos) << message;
}

TEST(Bundle, a_preprocessing_that_makes_another_size_than_the_input_is_refused) {
  testing::TempDir dir;
  Bundle bundle = write_sample_bundle(dir / "bundle");
  bundle.preprocess = Pipeline::default_for(InputShape{1, 27, 28});   // one row short of the model's 28×28
  write_bundle_manifest(bundle);
  const std::string message = load_error(dir / "bundle", ErrorCode::kCorrupt);
  EXPECT_NE(message.find("the preprocessing makes 1×27×28 but the model's input is 1×28×28"), std::string::npos) << message;
}

TEST(Bundle, folder_without_a_manifest_is_not_found) {
  testing::TempDir dir;
  const std::string message = load_error(dir.path(), ErrorCode::kNotFound);
  EXPECT_NE(message.find("bundle.json"), std::string::npos) << message;
}

}  // namespace
}  // namespace edgeloop
