#include "edgeloop/registry/registered_objects.h"

#include "edgeloop/registry/sqlite_guard.h"

namespace edgeloop {

std::unordered_set<std::string> registered_object_hashes(Registry& registry) {
  auto& database = registry.database();
  return guard_sqlite(database, [&] {
    std::unordered_set<std::string> hashes;
    SQLite::Statement select(database, "SELECT hash FROM objects");
    while (select.executeStep()) hashes.insert(select.getColumn(0).getString());
    return hashes;
  });
}

}  // namespace edgeloop
