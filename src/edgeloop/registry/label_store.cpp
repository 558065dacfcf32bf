#include "edgeloop/registry/label_store.h"

#include "edgeloop/core/timestamp.h"
#include "edgeloop/registry/sqlite_guard.h"

namespace edgeloop {

namespace {

constexpr const char* kLabelColumns =
    "SELECT operation, version_id, object_hash, label, provenance, labeller, created_at FROM labels ";

LabelEntry read_entry(SQLite::Statement& query) {
  LabelEntry entry;
  entry.operation = query.getColumn(0).getString();
  entry.version_id = query.getColumn(1).getString();
  entry.object_hash = query.getColumn(2).getString();
  if (!query.getColumn(3).isNull()) entry.label = query.getColumn(3).getString();
  entry.provenance = query.getColumn(4).getString();
  entry.labeller = query.getColumn(5).getString();
  entry.created_at = query.getColumn(6).getString();
  return entry;
}

}  // namespace

bool LabelStore::add(const LabelEntry& entry) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    SQLite::Statement insert(database,
                             "INSERT OR IGNORE INTO labels (operation, version_id, object_hash, label, provenance, labeller, "
                             "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, entry.operation);
    insert.bind(2, entry.version_id);
    insert.bind(3, entry.object_hash);
    if (entry.label) insert.bind(4, *entry.label); else insert.bind(4);
    insert.bind(5, entry.provenance);
    insert.bind(6, entry.labeller);
    insert.bind(7, utc_timestamp());
    return insert.exec() == 1;
  });
}

std::optional<std::string> LabelStore::undo(const std::string& version_id, const std::string& operation) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&]() -> std::optional<std::string> {
    SQLite::Statement find(database, "SELECT object_hash FROM labels WHERE version_id = ? AND operation = ? AND undone_at IS NULL");
    find.bind(1, version_id);
    find.bind(2, operation);
    if (!find.executeStep()) return std::nullopt;
    const std::string object_hash = find.getColumn(0).getString();
    SQLite::Statement mark(database, "UPDATE labels SET undone_at = ? WHERE operation = ?");
    mark.bind(1, utc_timestamp());
    mark.bind(2, operation);
    mark.exec();
    return object_hash;
  });
}

void LabelStore::set_provenance(const std::string& version_id, const std::vector<SampleProvenance>& rows) {
  auto& database = registry_.database();
  guard_sqlite(database, [&] {
    SQLite::Statement update(database,
                             "UPDATE version_samples SET provenance = ?, labelled_by = ? WHERE version_id = ? AND object_hash = ?");
    for (const SampleProvenance& row : rows) {
      update.bind(1, row.provenance);
      update.bind(2, row.labelled_by);
      update.bind(3, version_id);
      update.bind(4, row.object_hash);
      update.exec();
      update.reset();
    }
  });
}

std::map<std::string, SampleProvenance> LabelStore::provenance(const std::string& version_id) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    std::map<std::string, SampleProvenance> found;
    SQLite::Statement query(database,
                            "SELECT object_hash, provenance, labelled_by FROM version_samples WHERE version_id = ? AND provenance != ''");
    query.bind(1, version_id);
    while (query.executeStep()) {
      SampleProvenance row{query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString()};
      found[row.object_hash] = row;
    }
    return found;
  });
}

std::map<std::string, LabelEntry> LabelStore::current(const std::string& version_id) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    std::map<std::string, LabelEntry> found;
    SQLite::Statement query(database, std::string(kLabelColumns) + "WHERE version_id = ? AND undone_at IS NULL ORDER BY id");
    query.bind(1, version_id);
    while (query.executeStep()) {
      LabelEntry entry = read_entry(query);
      found[entry.object_hash] = std::move(entry);   // later rows replace earlier ones
    }
    return found;
  });
}

std::vector<LabelEntry> LabelStore::history(const std::string& version_id) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    std::vector<LabelEntry> found;
    SQLite::Statement query(database, std::string(kLabelColumns) + "WHERE version_id = ? ORDER BY id");
    query.bind(1, version_id);
    while (query.executeStep()) found.push_back(read_entry(query));
    return found;
  });
}

}  // namespace edgeloop
