#include <gtest/gtest.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "support/temp_dir.h"

namespace edgeloop {

TEST(AtomicFile, write_replaces_the_whole_file_and_leaves_no_temporary) {
  testing::TempDir dir;
  write_file_atomically(dir / "a" / "file.txt", "first version, longer");
  write_file_atomically(dir / "a" / "file.txt", "second");
  EXPECT_EQ(read_file(dir / "a" / "file.txt"), "second");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir / "a")) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(AtomicFile, failed_write_keeps_the_old_file) {
  testing::TempDir dir;
  write_file_atomically(dir / "file.txt", "kept");
  // A directory in the way of the rename makes the write fail after the temporary is written.
  std::filesystem::create_directories(dir / "blocked");
  std::filesystem::create_directories(dir / "blocked" / "inside");
  EXPECT_THROW(write_file_atomically(dir / "blocked", "new"), Error);
  EXPECT_EQ(read_file(dir / "file.txt"), "kept");
  EXPECT_TRUE(std::filesystem::is_directory(dir / "blocked" / "inside"));
}

TEST(AtomicFile, reading_a_missing_file_names_it) {
  testing::TempDir dir;
  try {
    read_file(dir / "missing.txt");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("missing.txt"), std::string::npos);
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
}

}  // namespace edgeloop
