#include <gtest/gtest.h>

#include <map>

#include "data_test_support.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {
namespace {

using testing::TestWorkspace;

using testing::named;

TEST(IdxImport, folder_with_train_and_t10k_imports_both_and_keeps_origins) {
  TestWorkspace test;
  const auto source = test.dir / "fashion-mnist";
  testing::write_idx_pair(source, "train", 30, 10, /*gzip=*/true, /*first_seed=*/0);
  testing::write_idx_pair(source, "t10k", 10, 10, /*gzip=*/true, /*first_seed=*/1000);
  const ImportResult result = import_dataset(test.workspace, test.registry, source, named("fm"));
  EXPECT_EQ(result.format, "idx");
  EXPECT_EQ(result.imported, 40);
  EXPECT_EQ(result.version.reference(), "fm@1");
  DatasetStore store(test.registry);
  const auto samples = store.samples(result.version.id);
  std::map<std::string, int> per_origin;
  for (const auto& sample : samples) ++per_origin[sample.origin.substr(0, sample.origin.find('#'))];
  EXPECT_EQ(per_origin["train"], 30);
  EXPECT_EQ(per_origin["t10k"], 10);
  // The folder's name says Fashion-MNIST: its class names are known.
  EXPECT_EQ(result.version.classes.size(), 10u);
  EXPECT_EQ(result.version.classes[0], "T-shirt/top");
  EXPECT_EQ(result.version.classes[9], "Ankle boot");
}

TEST(IdxImport, stored_object_decodes_to_the_original_pixels) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "digits", "train", 5, 5, /*gzip=*/false);
  const ImportResult result = import_dataset(test.workspace, test.registry, test.dir / "digits", named("d"));
  DatasetStore store(test.registry);
  const auto samples = store.samples(result.version.id);
  ASSERT_EQ(samples.size(), 5u);
  ObjectStore objects(test.workspace);
  int matched = 0;
  for (const auto& sample : samples) {
    const cv::Mat decoded = objects.decode(sample.object_hash);
    EXPECT_TRUE(objects.verify(sample.object_hash));
    for (int seed = 0; seed < 5; ++seed) {
      if (cv::norm(decoded, testing::seeded_image(seed, 6, 6), cv::NORM_INF) == 0) {
        ++matched;
        EXPECT_EQ(sample.label, seed % 5);
      }
    }
  }
  EXPECT_EQ(matched, 5);
  EXPECT_EQ(result.version.classes[0], "0");  // no known names: the label numbers
}

TEST(IdxImport, labels_file_names_the_classes) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "set", "train", 6, 3, /*gzip=*/true);
  write_file_atomically(test.dir / "names.txt", std::string_view("cat\ndog\nbird\n"));
  ImportOptions options = named("pets");
  options.labels_file = test.dir / "names.txt";
  const ImportResult result = import_dataset(test.workspace, test.registry, test.dir / "set", options);
  EXPECT_EQ(result.version.classes, (std::vector<std::string>{"cat", "dog", "bird"}));
}

TEST(IdxImport, truncated_images_file_fails_naming_the_file_and_counts) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "set", "train", 10, 2, /*gzip=*/false);
  const auto images = test.dir / "set" / "train-images-idx3-ubyte";
  const std::string bytes = read_file(images);
  write_file_atomically(images, std::string_view(bytes).substr(0, 16 + 36 * 7 + 5));
  try {
    import_dataset(test.workspace, test.registry, test.dir / "set", named("t"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
    const std::string message = error.what();
    EXPECT_NE(message.find("train-images-idx3-ubyte"), std::string::npos) << message;
    EXPECT_NE(message.find("7 of the 10"), std::string::npos) << message;
  }
  EXPECT_TRUE(DatasetStore(test.registry).dataset_names().empty());
}

TEST(IdxImport, truncated_gzip_fails_as_truncated) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "set", "train", 200, 2, /*gzip=*/true, 0, 16, 16);
  const auto images = test.dir / "set" / "train-images-idx3-ubyte.gz";
  const std::string bytes = read_file(images);
  write_file_atomically(images, std::string_view(bytes).substr(0, bytes.size() / 2));
  EXPECT_THROW(import_dataset(test.workspace, test.registry, test.dir / "set", named("t")), Error);
}

TEST(IdxImport, mismatched_pair_fails_naming_both_counts) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "set", "train", 10, 2, /*gzip=*/false);
  testing::write_idx_pair(test.dir / "other", "train", 8, 2, /*gzip=*/false);
  std::filesystem::copy_file(test.dir / "other" / "train-labels-idx1-ubyte", test.dir / "set" / "train-labels-idx1-ubyte",
                             std::filesystem::copy_options::overwrite_existing);
  try {
    import_dataset(test.workspace, test.registry, test.dir / "set", named("t"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("10 images"), std::string::npos) << message;
    EXPECT_NE(message.find("8 labels"), std::string::npos) << message;
  }
}

TEST(IdxImport, labels_file_in_place_of_images_is_refused_by_its_magic) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "set", "train", 4, 2, /*gzip=*/false);
  std::filesystem::copy_file(test.dir / "set" / "train-labels-idx1-ubyte", test.dir / "set" / "train-images-idx3-ubyte",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_THROW(import_dataset(test.workspace, test.registry, test.dir / "set", named("t")), Error);
}

TEST(IdxImport, importing_again_without_add_makes_a_new_version_with_only_the_new_data) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "a", "train", 6, 2, /*gzip=*/false, 0);
  testing::write_idx_pair(test.dir / "b", "train", 4, 2, /*gzip=*/false, 100);
  const auto first = import_dataset(test.workspace, test.registry, test.dir / "a", named("x"));
  const auto second = import_dataset(test.workspace, test.registry, test.dir / "b", named("x"));
  EXPECT_EQ(second.version.number, 2);
  EXPECT_EQ(second.version.parent_id, first.version.id);
  EXPECT_EQ(second.total, 4);
  ImportOptions add = named("x");
  add.add = true;
  const auto third = import_dataset(test.workspace, test.registry, test.dir / "a", add);
  EXPECT_EQ(third.version.number, 3);
  EXPECT_EQ(third.total, 10);
  EXPECT_EQ(third.imported, 6);
}

}  // namespace
}  // namespace edgeloop
