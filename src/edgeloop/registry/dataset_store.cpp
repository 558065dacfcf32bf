#include "edgeloop/registry/dataset_store.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/core/timestamp.h"
#include "edgeloop/registry/sqlite_guard.h"

namespace edgeloop {

namespace {

constexpr size_t kMaxDatasetNameLength = 100;

constexpr const char* kVersionColumns =
    "SELECT id, dataset, number, COALESCE(parent_id, ''), created_at, change, classes, details FROM dataset_versions ";

DatasetVersion read_version(SQLite::Statement& query) {
  DatasetVersion version;
  version.id = query.getColumn(0).getString();
  version.dataset = query.getColumn(1).getString();
  version.number = query.getColumn(2).getInt();
  version.parent_id = query.getColumn(3).getString();
  version.created_at = query.getColumn(4).getString();
  version.change = query.getColumn(5).getString();
  version.classes = Json::parse(query.getColumn(6).getString()).get<std::vector<std::string>>();
  version.details = Json::parse(query.getColumn(7).getString());
  return version;
}

}  // namespace

void DatasetStore::check_dataset_name(const std::string& name) {
  const bool valid_characters = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (name.empty() || name.size() > kMaxDatasetNameLength || !valid_characters || name.front() == '.') {
    throw invalid_argument("dataset name `" + name + "` is not valid: use letters, digits, '-', '_' and '.' (up to " +
                           std::to_string(kMaxDatasetNameLength) + " characters)");
  }
}

std::optional<DatasetVersion> DatasetStore::try_resolve(const std::string& reference) {
  auto& database = registry_.database();
  const size_t at = reference.rfind('@');
  const std::string name = reference.substr(0, at);
  return guard_sqlite(database, [&]() -> std::optional<DatasetVersion> {
    if (at == std::string::npos) {
      SQLite::Statement query(database, std::string(kVersionColumns) + "WHERE dataset = ? ORDER BY number DESC LIMIT 1");
      query.bind(1, name);
      if (!query.executeStep()) return std::nullopt;
      return read_version(query);
    }
    int number = 0;
    try {
      size_t used = 0;
      number = std::stoi(reference.substr(at + 1), &used);
      if (used != reference.size() - at - 1) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
    SQLite::Statement query(database, std::string(kVersionColumns) + "WHERE dataset = ? AND number = ?");
    query.bind(1, name);
    query.bind(2, number);
    if (!query.executeStep()) return std::nullopt;
    return read_version(query);
  });
}

DatasetVersion DatasetStore::resolve(const std::string& reference) {
  if (auto version = try_resolve(reference)) return *version;
  const std::string name = reference.substr(0, reference.rfind('@'));
  const auto known = versions(name);
  if (!known.empty()) {
    throw not_found("dataset " + name + " has no version `" + reference + "`: it has versions 1 to " +
                    std::to_string(known.back().number) + " (see `edgeloop data show " + name + "`)");
  }
  std::string names;
  for (const auto& dataset : dataset_names()) names += (names.empty() ? "" : ", ") + dataset;
  throw not_found("no dataset named `" + name + "`" + (names.empty() ? " (the workspace has none yet)" : " (known: " + names + ")") +
                  ": import one with `edgeloop data import SRC --name " + name + "`");
}

std::optional<DatasetVersion> DatasetStore::find_version(const std::string& version_id) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&]() -> std::optional<DatasetVersion> {
    SQLite::Statement query(database, std::string(kVersionColumns) + "WHERE id = ?");
    query.bind(1, version_id);
    if (!query.executeStep()) return std::nullopt;
    return read_version(query);
  });
}

std::vector<std::string> DatasetStore::dataset_names() {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    std::vector<std::string> names;
    SQLite::Statement query(database, "SELECT name FROM datasets ORDER BY name");
    while (query.executeStep()) names.push_back(query.getColumn(0).getString());
    return names;
  });
}

std::vector<DatasetVersion> DatasetStore::versions(const std::string& dataset) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    std::vector<DatasetVersion> found;
    SQLite::Statement query(database, std::string(kVersionColumns) + "WHERE dataset = ? ORDER BY number");
    query.bind(1, dataset);
    while (query.executeStep()) found.push_back(read_version(query));
    return found;
  });
}

std::vector<Sample> DatasetStore::samples(const std::string& version_id, const std::string& split_filter) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    std::vector<Sample> found;
    std::string sql =
        "SELECT object_hash, COALESCE(label, -1), split, origin, copies, COALESCE(suggested, '') FROM version_samples "
        "WHERE version_id = ?";
    const bool all_tests = split_filter == kSplitTestPrefix;
    if (!split_filter.empty()) sql += all_tests ? " AND split LIKE 'test:%'" : " AND split = ?";
    sql += " ORDER BY object_hash";
    SQLite::Statement query(database, sql);
    query.bind(1, version_id);
    if (!split_filter.empty() && !all_tests) query.bind(2, split_filter);
    while (query.executeStep()) {
      found.push_back(Sample{query.getColumn(0).getString(), query.getColumn(1).getInt(), query.getColumn(2).getString(),
                             query.getColumn(3).getString(), query.getColumn(4).getInt(), query.getColumn(5).getString()});
    }
    return found;
  });
}

std::optional<ObjectInfo> DatasetStore::object(const std::string& object_hash) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&]() -> std::optional<ObjectInfo> {
    SQLite::Statement query(database, "SELECT hash, bytes, format, width, height, channels FROM objects WHERE hash = ?");
    query.bind(1, object_hash);
    if (!query.executeStep()) return std::nullopt;
    return ObjectInfo{query.getColumn(0).getString(), query.getColumn(1).getInt64(), query.getColumn(2).getString(),
                      query.getColumn(3).getInt(), query.getColumn(4).getInt(), query.getColumn(5).getInt()};
  });
}

std::vector<ImportRecord> DatasetStore::imports(const std::string& version_id) {
  auto& database = registry_.database();
  return guard_sqlite(database, [&] {
    std::vector<ImportRecord> found;
    SQLite::Statement query(database,
                            "SELECT id, source, format, imported, duplicates FROM imports WHERE version_id = ? ORDER BY id");
    query.bind(1, version_id);
    while (query.executeStep()) {
      ImportRecord record;
      record.version_id = version_id;
      record.source = query.getColumn(1).getString();
      record.format = query.getColumn(2).getString();
      record.imported = query.getColumn(3).getInt64();
      record.duplicates = query.getColumn(4).getInt64();
      SQLite::Statement rejects(database, "SELECT path, reason FROM rejects WHERE import_id = ? ORDER BY rowid");
      rejects.bind(1, query.getColumn(0).getInt64());
      while (rejects.executeStep()) record.rejects.emplace_back(rejects.getColumn(0).getString(), rejects.getColumn(1).getString());
      found.push_back(std::move(record));
    }
    return found;
  });
}

void DatasetStore::add_objects(const std::vector<ObjectInfo>& objects) {
  auto& database = registry_.database();
  guard_sqlite(database, [&] {
    SQLite::Statement insert(database,
                             "INSERT OR IGNORE INTO objects (hash, bytes, format, width, height, channels) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& object : objects) {
      insert.bind(1, object.hash);
      insert.bind(2, object.bytes);
      insert.bind(3, object.format);
      insert.bind(4, object.width);
      insert.bind(5, object.height);
      insert.bind(6, object.channels);
      insert.exec();
      insert.reset();
    }
  });
}

std::string DatasetStore::version_id_for(const std::string& dataset, std::vector<Sample> samples) {
  std::sort(samples.begin(), samples.end(),
            [](const Sample& left, const Sample& right) { return left.object_hash < right.object_hash; });
  Sha256 hash;
  hash.update("edgeloop dataset version\n" + dataset + "\n");
  for (const auto& sample : samples) {
    std::string row = sample.object_hash;
    row.append("\t").append(std::to_string(sample.label)).append("\t").append(sample.split);
    if (sample.copies != 1) row.append("\t").append(std::to_string(sample.copies));
    row.append("\n");
    hash.update(row);
  }
  return hash.hex_digest();
}

DatasetVersion DatasetStore::add_version(const NewVersion& version) {
  check_dataset_name(version.dataset);
  auto& database = registry_.database();
  DatasetVersion created;
  created.id = version_id_for(version.dataset, version.samples);
  if (auto existing = find_version(created.id)) return *existing;
  return guard_sqlite(database, [&] {
    SQLite::Statement dataset(database, "INSERT OR IGNORE INTO datasets (name, created_at) VALUES (?, ?)");
    dataset.bind(1, version.dataset);
    dataset.bind(2, utc_timestamp());
    dataset.exec();
    SQLite::Statement next(database, "SELECT COALESCE(MAX(number), 0) + 1 FROM dataset_versions WHERE dataset = ?");
    next.bind(1, version.dataset);
    next.executeStep();
    created.dataset = version.dataset;
    created.number = next.getColumn(0).getInt();
    created.parent_id = version.parent_id;
    created.created_at = utc_timestamp();
    created.change = version.change;
    created.classes = version.classes;
    created.details = version.details;
    SQLite::Statement insert(database,
                             "INSERT INTO dataset_versions (id, dataset, number, parent_id, created_at, change, classes, details) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, created.id);
    insert.bind(2, created.dataset);
    insert.bind(3, created.number);
    if (created.parent_id.empty()) insert.bind(4); else insert.bind(4, created.parent_id);
    insert.bind(5, created.created_at);
    insert.bind(6, created.change);
    insert.bind(7, Json(created.classes).dump());
    insert.bind(8, created.details.dump());
    insert.exec();
    SQLite::Statement row(database,
                          "INSERT INTO version_samples (version_id, object_hash, label, split, origin, suggested, copies) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const auto& sample : version.samples) {
      row.bind(1, created.id);
      row.bind(2, sample.object_hash);
      if (sample.label < 0) row.bind(3); else row.bind(3, sample.label);
      row.bind(4, sample.split);
      row.bind(5, sample.origin);
      if (sample.suggested.empty()) row.bind(6); else row.bind(6, sample.suggested);
      row.bind(7, sample.copies);
      row.exec();
      row.reset();
    }
    return created;
  });
}

void DatasetStore::add_import(const ImportRecord& record) {
  auto& database = registry_.database();
  guard_sqlite(database, [&] {
    SQLite::Statement insert(database,
                             "INSERT INTO imports (version_id, source, format, created_at, imported, duplicates, rejected) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (record.version_id.empty()) insert.bind(1); else insert.bind(1, record.version_id);
    insert.bind(2, record.source);
    insert.bind(3, record.format);
    insert.bind(4, utc_timestamp());
    insert.bind(5, record.imported);
    insert.bind(6, record.duplicates);
    insert.bind(7, static_cast<int64_t>(record.rejects.size()));
    insert.exec();
    const int64_t import_id = database.getLastInsertRowid();
    SQLite::Statement reject(database, "INSERT INTO rejects (import_id, path, reason) VALUES (?, ?, ?)");
    for (const auto& [path, reason] : record.rejects) {
      reject.bind(1, import_id);
      reject.bind(2, path);
      reject.bind(3, reason);
      reject.exec();
      reject.reset();
    }
  });
}

}  // namespace edgeloop
