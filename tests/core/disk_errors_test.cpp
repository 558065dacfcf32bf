// Disk errors say what failed and where: a full disk and a failing disk are Error(kIo) (exit 6),
// a missing path kNotFound, every std::filesystem exception becomes one Error naming the path, and
// a FIFO is refused without being opened.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/filesystem_guard.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

TEST(DiskErrors, a_full_disk_is_an_io_error_that_says_so) {
  const Error error = disk_error("cannot write", "/data/x.png", ENOSPC);
  EXPECT_EQ(error.code(), ErrorCode::kIo);
  EXPECT_EQ(error.exit_status(), 6);
  EXPECT_STREQ(error.what(), "cannot write /data/x.png: the disk is full: free space and try again");
}

TEST(DiskErrors, a_failing_disk_is_an_io_error_not_corruption) {
  const Error error = disk_error("cannot sync", "/data/x.png", EIO);
  EXPECT_EQ(error.code(), ErrorCode::kIo);
  EXPECT_NE(std::string(error.what()).find("I/O error"), std::string::npos) << error.what();
}

TEST(DiskErrors, a_missing_path_is_not_found) {
  EXPECT_EQ(disk_error("cannot read", "/nope", ENOENT).code(), ErrorCode::kNotFound);
}

TEST(DiskErrors, a_filesystem_exception_becomes_an_error_naming_the_path) {
  testing::TempDir dir;
  write_file_atomically(dir / "file", "a file where a folder should be");  // fails for root too
  try {
    guard_filesystem([&] { std::filesystem::create_directories(dir / "file" / "inner"); });
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(error.what()).find((dir / "file").string()), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("filesystem error"), std::string::npos) << error.what();
  }
}

TEST(DiskErrors, a_filesystem_exception_for_a_missing_file_is_not_found) {
  testing::TempDir dir;
  try {
    guard_filesystem([&] { return std::filesystem::file_size(dir / "absent.bin"); });
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(error.what()).find("absent.bin"), std::string::npos) << error.what();
  }
}

TEST(DiskErrors, reading_a_fifo_is_refused_without_blocking) {
  testing::TempDir dir;
  const auto fifo = dir / "x.png";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  ::alarm(20);  // without the check the read blocks forever: SIGALRM ends the test as a failure
  try {
    read_file(fifo);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("not a regular file (a FIFO)"), std::string::npos) << error.what();
  }
  ::alarm(0);
}

}  // namespace
}  // namespace edgeloop
