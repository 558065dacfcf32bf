// SQLite's exceptions as edgeloop::Error: sqlite_error_to_error is the one place that reads an
// SQLite result code and says what failed — a full disk (SQLITE_FULL) or a failing one
// (SQLITE_IOERR, SQLITE_CANTOPEN) is Error(kIo), exit 6; only SQLITE_CORRUPT and SQLITE_NOTADB say
// the registry is damaged (kCorrupt). guard_sqlite runs a registry call through it; SQLite's
// exceptions never leave the registry module. Used by Registry and the typed stores.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

#include "edgeloop/core/error.h"

namespace edgeloop {

// The Error for `error` raised on the database file `filename`. `system_errno` is the OS error
// behind an I/O failure (sqlite3_system_errno) when the connection is still open, else 0; without
// it an I/O error on a filesystem with no space left is reported as a full disk.
Error sqlite_error_to_error(const SQLite::Exception& error, const std::string& filename, int system_errno = 0);

// sqlite3_system_errno of the connection: the errno of its last failed system call.
int sqlite_system_errno(SQLite::Database& database);

template <typename Body>
auto guard_sqlite(SQLite::Database& database, Body body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& error) {
    throw sqlite_error_to_error(error, database.getFilename(), sqlite_system_errno(database));
  }
}

}  // namespace edgeloop
