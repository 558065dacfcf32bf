#include <gtest/gtest.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/registry/migrations.h"
#include "edgeloop/registry/registry.h"
#include "support/temp_dir.h"

namespace edgeloop {

TEST(Registry, opening_migrates_to_the_newest_schema_and_reopening_is_a_no_op) {
  testing::TempDir dir;
  const int newest = static_cast<int>(registry_migrations().size());
  {
    Registry registry = Registry::open(dir / "registry.db");
    EXPECT_EQ(registry.schema_version(), newest);
    registry.in_transaction([](SQLite::Database& db) {
      db.exec("INSERT INTO datasets (name, created_at) VALUES ('kept', 'now')");
    });
  }
  Registry reopened = Registry::open(dir / "registry.db");
  EXPECT_EQ(reopened.schema_version(), newest);
  EXPECT_EQ(reopened.database().execAndGet("SELECT COUNT(*) FROM datasets").getInt(), 1);
}

TEST(Registry, migrates_an_older_schema_forward_keeping_its_rows) {
  testing::TempDir dir;
  {
    SQLite::Database old((dir / "registry.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    old.exec(std::string(registry_migrations()[0]));
    old.exec("PRAGMA user_version = 1");
    old.exec("INSERT INTO datasets (name, created_at) VALUES ('old', 'then')");
  }
  Registry registry = Registry::open(dir / "registry.db");
  EXPECT_EQ(registry.schema_version(), static_cast<int>(registry_migrations().size()));
  EXPECT_EQ(registry.database().execAndGet("SELECT name FROM datasets").getString(), "old");
}

TEST(Registry, a_failed_change_is_rolled_back_whole) {
  testing::TempDir dir;
  Registry registry = Registry::open(dir / "registry.db");
  EXPECT_THROW(registry.in_transaction([](SQLite::Database& db) {
    db.exec("INSERT INTO datasets (name, created_at) VALUES ('half', 'now')");
    throw invalid_argument("stop half-way");
  }), Error);
  EXPECT_EQ(registry.database().execAndGet("SELECT COUNT(*) FROM datasets").getInt(), 0);
}

TEST(Registry, a_newer_schema_is_refused_with_the_fix) {
  testing::TempDir dir;
  {
    SQLite::Database future((dir / "registry.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    future.exec("PRAGMA user_version = 999");
  }
  try {
    Registry::open(dir / "registry.db");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("upgrade edgeloop"), std::string::npos);
  }
}

TEST(Registry, a_file_that_is_not_sqlite_is_refused_naming_it) {
  testing::TempDir dir;
  write_file_atomically(dir / "registry.db", std::string(4096, 'z'));
  try {
    Registry::open(dir / "registry.db");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("registry.db"), std::string::npos);
  }
}

}  // namespace edgeloop
