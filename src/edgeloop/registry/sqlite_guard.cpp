#include "edgeloop/registry/sqlite_guard.h"

#include <sqlite3.h>

#include <cerrno>
#include <filesystem>

#include "edgeloop/core/filesystem_guard.h"

namespace edgeloop {

int sqlite_system_errno(SQLite::Database& database) { return sqlite3_system_errno(database.getHandle()); }

Error sqlite_error_to_error(const SQLite::Exception& error, const std::string& filename, int system_errno) {
  const std::string detail = " (" + std::string(error.what()) + ")";
  switch (error.getErrorCode() & 0xFF) {  // the primary code; the extended code is in the high bits
    case SQLITE_FULL:
      return io_error("registry " + filename + ": " + disk_error_text(ENOSPC) + detail);
    case SQLITE_IOERR: {
      const bool full = system_errno == ENOSPC || system_errno == EDQUOT ||
                        (system_errno == 0 && filesystem_is_full(std::filesystem::path(filename).parent_path()));
      return io_error("registry " + filename + ": " + disk_error_text(full ? ENOSPC : EIO) + detail);
    }
    case SQLITE_CANTOPEN:
      return io_error("cannot open registry " + filename + detail + ": check that its folder exists and is writable");
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return io_error("registry " + filename + " is read-only" + detail + ": check the file's owner and mode");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return io_error("registry " + filename + " is locked by another edgeloop process" + detail + ": wait for it and try again");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return corrupt(filename + " is not a usable registry" + detail + ": restore it from a backup or re-create the workspace");
    default:
      return io_error("registry " + filename + ": " + error.what());
  }
}

}  // namespace edgeloop
