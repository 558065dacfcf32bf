#include "edgeloop/registry/model_store.h"

#include "edgeloop/registry/sqlite_guard.h"

namespace edgeloop {

namespace {

constexpr const char* kModelColumns =
    "SELECT id, COALESCE(run_id, ''), version_id, kind, arch, parameters, mflops, val_accuracy, path, created_at "
    "FROM models ";
constexpr int kMatchesShown = 5;

ModelRecord read_model(SQLite::Statement& query) {
  ModelRecord model;
  model.id = query.getColumn(0).getString();
  model.run_id = query.getColumn(1).getString();
  model.version_id = query.getColumn(2).getString();
  model.kind = query.getColumn(3).getString();
  model.arch = query.getColumn(4).getString();
  model.parameters = query.getColumn(5).getInt64();
  model.mflops = query.getColumn(6).getDouble();
  if (!query.getColumn(7).isNull()) model.val_accuracy = query.getColumn(7).getDouble();
  model.path = query.getColumn(8).getString();
  model.created_at = query.getColumn(9).getString();
  return model;
}

}  // namespace

void ModelStore::add_model(const ModelRecord& model) {
  SQLite::Statement insert(registry_.database(),
                           "INSERT INTO models (id, run_id, version_id, kind, arch, parameters, mflops, val_accuracy, "
                           "path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, model.id);
  if (model.run_id.empty()) insert.bind(2); else insert.bind(2, model.run_id);
  insert.bind(3, model.version_id);
  insert.bind(4, model.kind);
  insert.bind(5, model.arch);
  insert.bind(6, model.parameters);
  insert.bind(7, model.mflops);
  if (model.val_accuracy) insert.bind(8, *model.val_accuracy); else insert.bind(8);
  insert.bind(9, model.path);
  insert.bind(10, model.created_at);
  insert.exec();
}

int64_t ModelStore::add_evaluation(const EvaluationRecord& evaluation) {
  SQLite::Statement insert(registry_.database(),
                           "INSERT INTO evaluations (model_id, dataset, version_id, split, accuracy, result, forced, "
                           "earlier_models, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, evaluation.model_id);
  insert.bind(2, evaluation.dataset);
  insert.bind(3, evaluation.version_id);
  insert.bind(4, evaluation.split);
  insert.bind(5, evaluation.accuracy);
  insert.bind(6, evaluation.result.dump());
  insert.bind(7, evaluation.forced ? 1 : 0);
  insert.bind(8, evaluation.earlier_models);
  insert.bind(9, evaluation.created_at);
  insert.exec();
  return registry_.database().getLastInsertRowid();
}

ModelRecord ModelStore::resolve(const std::string& id_or_prefix) {
  if (auto exact = find(id_or_prefix)) return *exact;
  std::vector<ModelRecord> matches = guard_sqlite(registry_.database(), [&] {
    SQLite::Statement query(registry_.database(), std::string(kModelColumns) + "WHERE substr(id, 1, ?) = ? ORDER BY id");
    query.bind(1, static_cast<int>(id_or_prefix.size()));
    query.bind(2, id_or_prefix);
    std::vector<ModelRecord> found;
    while (query.executeStep()) found.push_back(read_model(query));
    return found;
  });
  if (matches.empty()) {
    throw not_found("no model `" + id_or_prefix + "` in this workspace: list them with `edgeloop models list --trained`");
  }
  if (matches.size() > 1) {
    std::string names;
    for (size_t index = 0; index < matches.size() && index < kMatchesShown; ++index) names += " " + matches[index].id;
    throw invalid_argument("model prefix `" + id_or_prefix + "` matches " + std::to_string(matches.size()) +
                           " models (" + names + " ): give more of the id");
  }
  return matches.front();
}

std::optional<ModelRecord> ModelStore::find(const std::string& model_id) {
  return guard_sqlite(registry_.database(), [&]() -> std::optional<ModelRecord> {
    SQLite::Statement query(registry_.database(), std::string(kModelColumns) + "WHERE id = ?");
    query.bind(1, model_id);
    if (!query.executeStep()) return std::nullopt;
    return read_model(query);
  });
}

std::vector<ModelRecord> ModelStore::list() {
  return guard_sqlite(registry_.database(), [&] {
    SQLite::Statement query(registry_.database(), std::string(kModelColumns) + "ORDER BY created_at DESC, id");
    std::vector<ModelRecord> models;
    while (query.executeStep()) models.push_back(read_model(query));
    return models;
  });
}

std::vector<EvaluationRecord> ModelStore::evaluations(const std::string& model_id) {
  return guard_sqlite(registry_.database(), [&] {
    SQLite::Statement query(registry_.database(),
                            "SELECT id, model_id, dataset, version_id, split, accuracy, result, forced, earlier_models, "
                            "created_at FROM evaluations WHERE model_id = ? ORDER BY id");
    query.bind(1, model_id);
    std::vector<EvaluationRecord> evaluations;
    while (query.executeStep()) {
      EvaluationRecord record;
      record.id = query.getColumn(0).getInt64();
      record.model_id = query.getColumn(1).getString();
      record.dataset = query.getColumn(2).getString();
      record.version_id = query.getColumn(3).getString();
      record.split = query.getColumn(4).getString();
      record.accuracy = query.getColumn(5).getDouble();
      record.result = Json::parse(query.getColumn(6).getString());
      record.forced = query.getColumn(7).getInt() != 0;
      record.earlier_models = query.getColumn(8).getInt();
      record.created_at = query.getColumn(9).getString();
      evaluations.push_back(std::move(record));
    }
    return evaluations;
  });
}

int ModelStore::times_tested(const std::string& model_id, const std::string& dataset, const std::string& split) {
  return guard_sqlite(registry_.database(), [&] {
    SQLite::Statement query(registry_.database(),
                            "SELECT COUNT(*) FROM evaluations WHERE model_id = ? AND dataset = ? AND split = ?");
    query.bind(1, model_id);
    query.bind(2, dataset);
    query.bind(3, split);
    query.executeStep();
    return query.getColumn(0).getInt();
  });
}

int ModelStore::other_models_tested(const std::string& model_id, const std::string& dataset, const std::string& split) {
  return guard_sqlite(registry_.database(), [&] {
    SQLite::Statement query(registry_.database(),
                            "SELECT COUNT(DISTINCT model_id) FROM evaluations WHERE model_id != ? AND dataset = ? "
                            "AND split = ?");
    query.bind(1, model_id);
    query.bind(2, dataset);
    query.bind(3, split);
    query.executeStep();
    return query.getColumn(0).getInt();
  });
}

}  // namespace edgeloop
