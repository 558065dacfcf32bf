#include "edgeloop/registry/run_store.h"

#include "edgeloop/core/timestamp.h"
#include "edgeloop/registry/sqlite_guard.h"

namespace edgeloop {

namespace {
constexpr const char* kRunColumns =
    "SELECT id, version_id, arch, preprocess_hash, config, code_commit, seed, status, COALESCE(diagnosis, '{}'), "
    "started_at, COALESCE(finished_at, '') FROM runs ";
}  // namespace

void RunStore::add_run(const RunRecord& run) {
  SQLite::Statement insert(registry_.database(),
                           "INSERT INTO runs (id, version_id, arch, preprocess_hash, config, code_commit, seed, status, "
                           "diagnosis, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, run.id);
  insert.bind(2, run.version_id);
  insert.bind(3, run.arch);
  insert.bind(4, run.preprocess_hash);
  insert.bind(5, run.config.dump());
  insert.bind(6, run.code_commit);
  insert.bind(7, static_cast<int64_t>(run.seed));
  insert.bind(8, run.status);
  insert.bind(9, run.diagnosis.dump());
  insert.bind(10, run.started_at);
  insert.exec();
}

void RunStore::put_epoch(const std::string& run_id, const EpochRecord& epoch) {
  SQLite::Statement insert(registry_.database(),
                           "INSERT OR REPLACE INTO epochs (run_id, epoch, train_loss, train_accuracy, val_loss, "
                           "val_accuracy, learning_rate, seconds, images_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, run_id);
  insert.bind(2, epoch.epoch);
  insert.bind(3, epoch.train_loss);
  insert.bind(4, epoch.train_accuracy);
  insert.bind(5, epoch.val_loss);
  insert.bind(6, epoch.val_accuracy);
  insert.bind(7, epoch.learning_rate);
  insert.bind(8, epoch.seconds);
  insert.bind(9, epoch.images_per_second);
  insert.exec();
}

void RunStore::finish_run(const std::string& run_id, const std::string& status, const Json& diagnosis) {
  SQLite::Statement update(registry_.database(),
                           "UPDATE runs SET status = ?, diagnosis = ?, finished_at = ? WHERE id = ?");
  update.bind(1, status);
  update.bind(2, diagnosis.dump());
  update.bind(3, utc_timestamp());
  update.bind(4, run_id);
  update.exec();
}

void RunStore::add_sweep(const SweepRecord& sweep) {
  SQLite::Statement insert(registry_.database(),
                           "INSERT INTO sweeps (id, version_id, options, result, created_at) VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, sweep.id);
  insert.bind(2, sweep.version_id);
  insert.bind(3, sweep.options.dump());
  insert.bind(4, sweep.result.dump());
  insert.bind(5, sweep.created_at);
  insert.exec();
}

std::optional<RunRecord> RunStore::find_run(const std::string& run_id) {
  return guard_sqlite(registry_.database(), [&]() -> std::optional<RunRecord> {
    SQLite::Statement query(registry_.database(), std::string(kRunColumns) + "WHERE id = ?");
    query.bind(1, run_id);
    if (!query.executeStep()) return std::nullopt;
    RunRecord run;
    run.id = query.getColumn(0).getString();
    run.version_id = query.getColumn(1).getString();
    run.arch = query.getColumn(2).getString();
    run.preprocess_hash = query.getColumn(3).getString();
    run.config = Json::parse(query.getColumn(4).getString());
    run.code_commit = query.getColumn(5).getString();
    run.seed = static_cast<uint64_t>(query.getColumn(6).getInt64());
    run.status = query.getColumn(7).getString();
    run.diagnosis = Json::parse(query.getColumn(8).getString());
    run.started_at = query.getColumn(9).getString();
    run.finished_at = query.getColumn(10).getString();
    return run;
  });
}

std::vector<EpochRecord> RunStore::epochs(const std::string& run_id) {
  return guard_sqlite(registry_.database(), [&] {
    SQLite::Statement query(registry_.database(),
                            "SELECT epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds, "
                            "images_per_second FROM epochs WHERE run_id = ? ORDER BY epoch");
    query.bind(1, run_id);
    std::vector<EpochRecord> epochs;
    while (query.executeStep()) {
      epochs.push_back(EpochRecord{query.getColumn(0).getInt(), query.getColumn(1).getDouble(),
                                   query.getColumn(2).getDouble(), query.getColumn(3).getDouble(),
                                   query.getColumn(4).getDouble(), query.getColumn(5).getDouble(),
                                   query.getColumn(6).getDouble(), query.getColumn(7).getDouble()});
    }
    return epochs;
  });
}

std::optional<SweepRecord> RunStore::find_sweep(const std::string& sweep_id) {
  return guard_sqlite(registry_.database(), [&]() -> std::optional<SweepRecord> {
    SQLite::Statement query(registry_.database(),
                            "SELECT id, version_id, options, result, created_at FROM sweeps WHERE id = ?");
    query.bind(1, sweep_id);
    if (!query.executeStep()) return std::nullopt;
    return SweepRecord{query.getColumn(0).getString(), query.getColumn(1).getString(),
                       Json::parse(query.getColumn(2).getString()), Json::parse(query.getColumn(3).getString()),
                       query.getColumn(4).getString()};
  });
}

std::optional<std::string> RunStore::find_unfinished_run(const std::string& fingerprint) {
  return guard_sqlite(registry_.database(), [&]() -> std::optional<std::string> {
    SQLite::Statement query(registry_.database(),
                            "SELECT id FROM runs WHERE status != 'finished' AND json_extract(config, '$.fingerprint') = ? "
                            "ORDER BY started_at DESC, rowid DESC LIMIT 1");
    query.bind(1, fingerprint);
    if (!query.executeStep()) return std::nullopt;
    return query.getColumn(0).getString();
  });
}

}  // namespace edgeloop
