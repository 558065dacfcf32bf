#include "edgeloop/registry/registry.h"

#include "edgeloop/core/error.h"
#include "edgeloop/registry/migrations.h"

namespace edgeloop {

namespace {
constexpr int kBusyTimeoutMilliseconds = 10000;
}

Registry Registry::open(const std::filesystem::path& path) {
  std::unique_ptr<SQLite::Database> database;
  try {
    database = std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                  kBusyTimeoutMilliseconds);
    database->exec("PRAGMA journal_mode = WAL");
    database->exec("PRAGMA foreign_keys = ON");
    database->exec("PRAGMA synchronous = NORMAL");
  } catch (const SQLite::Exception& error) {
    throw corrupt(path.string() + " is not a usable registry (" + error.what() +
                  "): restore it from a backup or re-create the workspace");
  }
  Registry registry(std::move(database));
  const auto& migrations = registry_migrations();
  const int current = registry.schema_version();
  const int newest = static_cast<int>(migrations.size());
  if (current > newest) {
    throw corrupt(path.string() + " has schema version " + std::to_string(current) + " but this edgeloop knows up to " +
                  std::to_string(newest) + ": upgrade edgeloop");
  }
  for (int version = current + 1; version <= newest; ++version) {
    registry.in_transaction([&](SQLite::Database& db) {
      db.exec(std::string(migrations[version - 1]));
      db.exec("PRAGMA user_version = " + std::to_string(version));
    });
  }
  return registry;
}

int Registry::schema_version() {
  try {
    return database_->execAndGet("PRAGMA user_version").getInt();
  } catch (const SQLite::Exception& error) {
    throw corrupt(database_->getFilename() + " is not a usable registry (" + error.what() + ")");
  }
}

void Registry::in_transaction(const std::function<void(SQLite::Database&)>& change) {
  try {
    SQLite::Transaction transaction(*database_, SQLite::TransactionBehavior::IMMEDIATE);
    change(*database_);
    transaction.commit();
  } catch (const SQLite::Exception& error) {
    throw io_error("registry " + database_->getFilename() + ": " + error.what());
  }
}

}  // namespace edgeloop
