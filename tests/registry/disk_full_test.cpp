// A full disk under the registry is reported as a full disk (Error(kIo), exit 6), never as a
// corrupt registry, and `init` on a full disk leaves no empty registry.db. On a real small tmpfs.
#include <gtest/gtest.h>

#include "edgeloop/core/error.h"
#include "edgeloop/registry/registry.h"
#include "support/small_tmpfs.h"

namespace edgeloop {
namespace {

constexpr size_t kTmpfsBytes = 512 * 1024;

void expect_disk_full(const Error& error) {
  EXPECT_EQ(error.code(), ErrorCode::kIo) << error.what();
  EXPECT_EQ(error.exit_status(), 6);
  EXPECT_NE(std::string(error.what()).find("the disk is full"), std::string::npos) << error.what();
  EXPECT_EQ(std::string(error.what()).find("re-create the workspace"), std::string::npos) << error.what();
}

TEST(RegistryDiskFull, creating_a_registry_on_a_full_disk_says_so_and_leaves_no_file) {
  testing::SmallTmpfs disk(kTmpfsBytes);
  if (!disk.mounted()) GTEST_SKIP() << disk.why_not();
  disk.fill();
  try {
    Registry::open(disk / "registry.db");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    expect_disk_full(error);
  }
  EXPECT_FALSE(std::filesystem::exists(disk / "registry.db"));
  EXPECT_FALSE(std::filesystem::exists(disk / "registry.db-wal"));
}

TEST(RegistryDiskFull, a_change_on_a_full_disk_is_a_disk_error_and_the_registry_stays_usable) {
  testing::SmallTmpfs disk(kTmpfsBytes);
  if (!disk.mounted()) GTEST_SKIP() << disk.why_not();
  {
    Registry registry = Registry::open(disk / "registry.db");
    registry.in_transaction([](SQLite::Database& db) { db.exec("INSERT INTO datasets (name, created_at) VALUES ('kept', 'now')"); });
  }
  disk.fill();
  try {
    Registry registry = Registry::open(disk / "registry.db");
    registry.in_transaction([](SQLite::Database& db) {
      for (int row = 0; row < 2000; ++row) {
        db.exec("INSERT INTO datasets (name, created_at) VALUES ('filler" + std::to_string(row) + "', '" +
                std::string(200, 'x') + "')");
      }
    });
    FAIL() << "expected an error";
  } catch (const Error& error) {
    expect_disk_full(error);
  }
  std::filesystem::remove(disk / "ballast");
  Registry registry = Registry::open(disk / "registry.db");
  EXPECT_EQ(registry.database().execAndGet("PRAGMA integrity_check").getString(), "ok");
  EXPECT_EQ(registry.database().execAndGet("SELECT COUNT(*) FROM datasets").getInt(), 1);
}

}  // namespace
}  // namespace edgeloop
