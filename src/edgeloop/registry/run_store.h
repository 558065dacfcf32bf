// RunStore: typed access to training runs, their per-epoch curves and sweeps (tables runs, epochs,
// sweeps; schema in migrations.cpp and docs/formats.md). Written by train/, read by `models show`,
// eval/ and report/. Write methods run inside Registry::in_transaction (one change, one
// transaction). Not thread-safe: like its Registry, use one per thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

inline constexpr const char* kRunRunning = "running";
inline constexpr const char* kRunFinished = "finished";
inline constexpr const char* kRunFailed = "failed";

struct RunRecord {
  std::string id;                    // "r-" + 12 hex
  std::string version_id;            // dataset version trained on
  std::string arch;                  // ArchSpec text
  std::string preprocess_hash;
  Json config = Json::object();      // training options
  std::string code_commit;
  uint64_t seed = 0;
  std::string status = kRunRunning;
  Json diagnosis = Json::object();   // fit diagnosis: verdict, reasons, advice
  std::string started_at;            // UTC ISO 8601
  std::string finished_at;           // empty while running
};

struct EpochRecord {
  int epoch = 0;                     // 1-based
  double train_loss = 0;
  double train_accuracy = 0;         // 0..1
  double val_loss = 0;
  double val_accuracy = 0;           // 0..1
  double learning_rate = 0;          // at the end of the epoch
  double seconds = 0;                // wall time
  double images_per_second = 0;      // training throughput
};

struct SweepRecord {
  std::string id;                    // "s-" + 12 hex
  std::string version_id;
  Json options = Json::object();
  Json result = Json::object();      // rows, Pareto front, pick, stop reason
  std::string created_at;
};

class RunStore {
 public:
  explicit RunStore(Registry& registry) : registry_(registry) {}

  // --- writes: call inside Registry::in_transaction ---
  void add_run(const RunRecord& run);
  // Inserts or replaces the row of that epoch (a resumed run rewrites the epochs it repeats).
  void put_epoch(const std::string& run_id, const EpochRecord& epoch);
  void finish_run(const std::string& run_id, const std::string& status, const Json& diagnosis);
  void add_sweep(const SweepRecord& sweep);

  // --- reads ---
  std::optional<RunRecord> find_run(const std::string& run_id);
  std::vector<EpochRecord> epochs(const std::string& run_id);   // in epoch order
  std::optional<SweepRecord> find_sweep(const std::string& sweep_id);
  // The newest run that did not finish (running when killed, or failed) whose config has this
  // "fingerprint" (TrainOptions::fingerprint): what `train --resume` continues.
  std::optional<std::string> find_unfinished_run(const std::string& fingerprint);

 private:
  Registry& registry_;
};

}  // namespace edgeloop
