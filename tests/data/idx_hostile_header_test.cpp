// IDX headers that lie about their size (the hostile files of issue 17): each is refused from its
// header and the file's size, before any allocation, with one line naming the file.
#include <gtest/gtest.h>
#include <zlib.h>

#include "data_test_support.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/data/idx_file.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {
namespace {

using testing::TestWorkspace;

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;

void put_word(std::string& bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((value >> shift) & 0xFF));
}

// An images header declaring `count` images of rows × columns, followed by `payload` zero bytes.
std::string images_file(uint32_t count, uint32_t rows, uint32_t columns, size_t payload) {
  std::string bytes;
  put_word(bytes, kImagesMagic);
  put_word(bytes, count);
  put_word(bytes, rows);
  put_word(bytes, columns);
  return bytes + std::string(payload, '\0');
}

void write_gzipped(const std::filesystem::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

// Runs `body`, expects an Error of `code` whose message names `path` and contains `phrase`.
template <typename Body>
void expect_error(Body body, ErrorCode code, const std::filesystem::path& path, const std::string& phrase) {
  try {
    body();
    FAIL() << "expected an error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.code(), code) << message;
    EXPECT_NE(message.find(path.filename().string()), std::string::npos) << message;
    EXPECT_NE(message.find(phrase), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  }
}

TEST(IdxHostileHeader, two_huge_images_in_116_bytes_are_over_the_pixel_cap) {
  testing::TempDir dir;
  const auto path = dir / "train-images-idx3-ubyte";
  write_file_atomically(path, images_file(2, 65535, 65535, 100));
  ASSERT_EQ(std::filesystem::file_size(path), 116u);
  expect_error([&] { read_idx_images(path, kDefaultMaxMegapixels); }, ErrorCode::kInvalidArgument, path,
               "65535x65535 (4294.8 MP), over the 50.0 MP limit (--max-megapixels)");
}

TEST(IdxHostileHeader, two_huge_images_in_116_bytes_are_truncated_when_the_cap_allows_them) {
  testing::TempDir dir;
  const auto path = dir / "train-images-idx3-ubyte";
  write_file_atomically(path, images_file(2, 65535, 65535, 100));
  expect_error([&] { read_idx_images(path, /*max_megapixels=*/1e6); }, ErrorCode::kCorrupt, path,
               "holds 0 of the 2 images its header declares");
}

TEST(IdxHostileHeader, a_billion_declared_images_are_refused_from_the_file_size_not_bad_alloc) {
  testing::TempDir dir;
  const auto path = dir / "train-images-idx3-ubyte";
  write_file_atomically(path, images_file(1000000000, 28, 28, 784 * 3));
  expect_error([&] { read_idx_images(path, kDefaultMaxMegapixels); }, ErrorCode::kCorrupt, path,
               "holds 3 of the 1000000000 images its header declares");
}

TEST(IdxHostileHeader, a_gzipped_header_cannot_declare_more_than_deflate_can_expand_to) {
  testing::TempDir dir;
  const auto path = dir / "train-images-idx3-ubyte.gz";
  write_gzipped(path, images_file(1000000000, 28, 28, 784 * 3));
  expect_error([&] { read_idx_images(path, kDefaultMaxMegapixels); }, ErrorCode::kCorrupt, path,
               "of the 1000000000 images its header declares");
}

TEST(IdxHostileHeader, a_gzipped_header_within_the_deflate_bound_fails_on_the_data_actually_present) {
  testing::TempDir dir;
  const auto path = dir / "train-images-idx3-ubyte.gz";
  // 1,000 noisy images barely compress: the header's 2,000 images pass the bound, and the read
  // stops at the 1,000 that exist.
  std::string bytes = images_file(2000, 28, 28, 0);
  for (int image = 0; image < 1000; ++image) {
    const cv::Mat pixels = testing::seeded_image(image, 28, 28);
    bytes.append(reinterpret_cast<const char*>(pixels.data), pixels.total());
  }
  write_gzipped(path, bytes);
  expect_error([&] { read_idx_images(path, kDefaultMaxMegapixels); }, ErrorCode::kCorrupt, path,
               "holds 1000 of the 2000 images its header declares");
}

TEST(IdxHostileHeader, a_labels_file_declaring_more_labels_than_bytes_is_truncated) {
  testing::TempDir dir;
  const auto path = dir / "train-labels-idx1-ubyte";
  std::string bytes;
  put_word(bytes, kLabelsMagic);
  put_word(bytes, 4000000000u);
  write_file_atomically(path, bytes + std::string(5, '\1'));
  expect_error([&] { read_idx_labels(path); }, ErrorCode::kCorrupt, path, "holds 5 of the 4000000000 labels");
}

TEST(IdxHostileHeader, zero_sized_images_are_refused) {
  testing::TempDir dir;
  const auto path = dir / "train-images-idx3-ubyte";
  write_file_atomically(path, images_file(3, 0, 28, 0));
  expect_error([&] { read_idx_images(path, kDefaultMaxMegapixels); }, ErrorCode::kInvalidArgument, path, "no pixels");
}

TEST(IdxHostileHeader, max_megapixels_of_the_import_applies_to_idx_and_nothing_is_stored) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "set", "train", 4, 2, /*gzip=*/false, 0, /*rows=*/800, /*columns=*/800);
  ImportOptions options;
  options.name = "big";
  options.max_megapixels = 0.5;
  expect_error([&] { import_dataset(test.workspace, test.registry, test.dir / "set", options); },
               ErrorCode::kInvalidArgument, test.dir / "set" / "train-images-idx3-ubyte", "800x800 (0.6 MP), over the 0.5 MP limit");
  EXPECT_TRUE(DatasetStore(test.registry).dataset_names().empty());
  options.max_megapixels = 0.7;
  EXPECT_EQ(import_dataset(test.workspace, test.registry, test.dir / "set", options).imported, 4);
}

}  // namespace
}  // namespace edgeloop
