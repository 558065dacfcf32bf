// guard_sqlite: runs a registry read and turns SQLite's exceptions, which must not leave the
// registry module, into Error(kIo) naming the database file. Used by the typed stores.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include "edgeloop/core/error.h"

namespace edgeloop {

template <typename Body>
auto guard_sqlite(SQLite::Database& database, Body body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& error) {
    throw io_error("registry " + database.getFilename() + ": " + error.what());
  }
}

}  // namespace edgeloop
