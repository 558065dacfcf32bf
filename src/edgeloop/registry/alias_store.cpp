#include "edgeloop/registry/alias_store.h"

#include "edgeloop/core/timestamp.h"
#include "edgeloop/registry/sqlite_guard.h"

namespace edgeloop {

void AliasStore::set(const AliasChange& change) {
  auto& database = registry_.database();
  guard_sqlite(database, [&] {
    const std::string now = utc_timestamp();
    const std::optional<std::string> previous = model_for(change.alias);
    SQLite::Statement upsert(database,
                             "INSERT INTO model_aliases (alias, model_id, set_at) VALUES (?, ?, ?) "
                             "ON CONFLICT(alias) DO UPDATE SET model_id = excluded.model_id, set_at = excluded.set_at");
    upsert.bind(1, change.alias);
    upsert.bind(2, change.model_id);
    upsert.bind(3, now);
    upsert.exec();
    SQLite::Statement history(database,
                              "INSERT INTO alias_history (alias, model_id, previous_model_id, set_at, reason, gate, forced) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)");
    history.bind(1, change.alias);
    history.bind(2, change.model_id);
    if (previous) history.bind(3, *previous); else history.bind(3);
    history.bind(4, now);
    history.bind(5, change.reason);
    history.bind(6, change.gate.dump());
    history.bind(7, change.forced ? 1 : 0);
    history.exec();
  });
}

std::optional<std::string> AliasStore::model_for(const std::string& alias) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&]() -> std::optional<std::string> {
    SQLite::Statement query(database, "SELECT model_id FROM model_aliases WHERE alias = ?");
    query.bind(1, alias);
    if (!query.executeStep()) return std::nullopt;
    return query.getColumn(0).getString();
  });
}

std::vector<AliasChange> AliasStore::history(const std::string& alias) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    std::vector<AliasChange> found;
    SQLite::Statement query(database,
                            "SELECT alias, model_id, COALESCE(previous_model_id, ''), set_at, reason, gate, forced FROM alias_history "
                            "WHERE ? = '' OR alias = ? ORDER BY id");
    query.bind(1, alias);
    query.bind(2, alias);
    while (query.executeStep()) {
      found.push_back(AliasChange{query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString(),
                                  query.getColumn(3).getString(), query.getColumn(4).getString(),
                                  Json::parse(query.getColumn(5).getString()), query.getColumn(6).getInt() != 0});
    }
    return found;
  });
}

}  // namespace edgeloop
