#include "edgeloop/registry/registry.h"

#include "edgeloop/core/error.h"
#include "edgeloop/registry/migrations.h"
#include "edgeloop/registry/sqlite_guard.h"

namespace edgeloop {

namespace {

constexpr int kBusyTimeoutMilliseconds = 10000;

// Removes a registry file this process created and could not finish (a full disk at `init`), with
// its WAL and shared-memory files, so no 0-byte registry.db is left for the next command to trip on.
void remove_unfinished_registry(const std::filesystem::path& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path.string() + suffix, ignored);
}

}  // namespace

// Opens and migrates. A registry file this call created is removed again when that fails
// (remove_unfinished_registry), so a full disk at `init` leaves no empty registry.db behind.
Registry Registry::open(const std::filesystem::path& path) {
  std::error_code error;
  const bool existed = std::filesystem::exists(path, error) && std::filesystem::file_size(path, error) > 0;
  try {
    std::unique_ptr<SQLite::Database> database;
    try {
      database = std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                    kBusyTimeoutMilliseconds);
      database->exec("PRAGMA journal_mode = WAL");
      database->exec("PRAGMA foreign_keys = ON");
      database->exec("PRAGMA synchronous = NORMAL");
    } catch (const SQLite::Exception& sqlite_error) {
      throw sqlite_error_to_error(sqlite_error, path.string());
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
  } catch (...) {
    if (!existed) remove_unfinished_registry(path);
    throw;
  }
}

int Registry::schema_version() {
  try {
    return database_->execAndGet("PRAGMA user_version").getInt();
  } catch (const SQLite::Exception& error) {
    throw sqlite_error_to_error(error, database_->getFilename(), sqlite_system_errno(*database_));
  }
}

void Registry::in_transaction(const std::function<void(SQLite::Database&)>& change) {
  try {
    SQLite::Transaction transaction(*database_, SQLite::TransactionBehavior::IMMEDIATE);
    change(*database_);
    transaction.commit();
  } catch (const SQLite::Exception& error) {
    throw sqlite_error_to_error(error, database_->getFilename(), sqlite_system_errno(*database_));
  }
}

}  // namespace edgeloop
