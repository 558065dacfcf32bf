// ModelStore: typed access to trained models and their evaluations (tables models, evaluations;
// schema in migrations.cpp and docs/formats.md). The evaluations of test splits are the test-set
// ledger: eval/ asks here whether a model was already tested on a test set and how many other
// models were. The model files themselves live in Workspace::model_dir (models/stored_model.h).
// Write methods run inside Registry::in_transaction. Not thread-safe: one per thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

struct ModelRecord {
  std::string id;                // "m-" + 12 hex
  std::string run_id;            // empty for classic models
  std::string version_id;        // dataset version trained on
  std::string kind;              // torch, classic
  std::string arch;              // ArchSpec text or classic spec
  int64_t parameters = 0;
  double mflops = 0;             // per image
  std::optional<double> val_accuracy;   // 0..1
  std::string path;              // relative to .edgeloop/, e.g. "models/m-0123456789ab"
  std::string created_at;
};

struct EvaluationRecord {
  int64_t id = 0;                // assigned by add_evaluation
  std::string model_id;
  std::string dataset;           // a test set is (dataset, split)
  std::string version_id;
  std::string split;             // val, train, test:<name>
  double accuracy = 0;           // 0..1
  Json result = Json::object();  // the full evaluation JSON
  bool forced = false;           // a repeated test run with --force
  int earlier_models = 0;        // other models tested on this test set before this one
  std::string created_at;
};

class ModelStore {
 public:
  explicit ModelStore(Registry& registry) : registry_(registry) {}

  // --- writes: call inside Registry::in_transaction ---
  void add_model(const ModelRecord& model);
  int64_t add_evaluation(const EvaluationRecord& evaluation);

  // --- reads ---
  // A full id or a unique prefix of one ("m-01ab"). Throws Error(kNotFound) with the fix, or
  // Error(kInvalidArgument) listing the matches when the prefix is ambiguous.
  ModelRecord resolve(const std::string& id_or_prefix);
  std::optional<ModelRecord> find(const std::string& model_id);
  std::vector<ModelRecord> list();   // newest first
  std::vector<EvaluationRecord> evaluations(const std::string& model_id);
  // Ledger queries for test set (dataset, split).
  int times_tested(const std::string& model_id, const std::string& dataset, const std::string& split);
  int other_models_tested(const std::string& model_id, const std::string& dataset, const std::string& split);

 private:
  Registry& registry_;
};

}  // namespace edgeloop
