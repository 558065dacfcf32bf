// Registry: the workspace's one SQLite file (WAL, foreign keys on), opened at the newest schema
// version by running forward migrations (migrations.cpp). Typed access to each noun lives in its
// own store (dataset_store.h, run_store.h, ...) which takes a Registry&. One command's change is one
// transaction. A Registry is used from one thread at a time; open one per thread if needed.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <functional>
#include <memory>

namespace edgeloop {

class Registry {
 public:
  // Opens (creating if absent) and migrates. Throws Error(kCorrupt) when the file is not a
  // SQLite database or was written by a newer edgeloop, naming the file and the fix.
  static Registry open(const std::filesystem::path& path);

  int schema_version();
  SQLite::Database& database() { return *database_; }

  // Runs `change` inside one transaction: committed when it returns, rolled back when it throws.
  void in_transaction(const std::function<void(SQLite::Database&)>& change);

 private:
  explicit Registry(std::unique_ptr<SQLite::Database> database) : database_(std::move(database)) {}
  std::unique_ptr<SQLite::Database> database_;
};

}  // namespace edgeloop
