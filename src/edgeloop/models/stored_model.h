// StoredModel: how a trained model lives in a workspace, in Workspace::model_dir(id):
//   model.json            everything below as JSON (format in docs/formats.md, "Stored models")
//   weights.safetensors   torch models: the WeightMap (models/weights_file.h), incl. batch-norm stats
//   classic.yml           classic models: the OpenCV ml model (models/classic_model.h)
// Written by train/ (and the classic trainer), read by eval/, export/ and `models show`. The
// registry's `models` table indexes these folders (registry/model_store.h). LibTorch-free.
// Plain value; the functions are thread-safe for distinct models.
#pragma once

#include "edgeloop/core/timestamp.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/models/arch_spec.h"

namespace edgeloop {

constexpr int kStoredModelFormatVersion = 1;
constexpr const char* kModelKindTorch = "torch";
constexpr const char* kModelKindClassic = "classic";
constexpr const char* kModelIdPrefix = "m-";   // every model id: "m-" + 12 hex (new_record_id)

// Where a model came from: enough to retrain it.
struct ModelLineage {
  std::string dataset;            // dataset name
  std::string dataset_version;    // dataset version id (sha256)
  int dataset_number = 0;         // NAME@number
  std::string run_id;             // training run in the registry ("" for classic models)
  std::string parent_model;       // --from MODEL; "" when trained from scratch
  std::string code_commit;        // git commit of the edgeloop that trained it, "unknown" outside git
  uint64_t seed = 0;
  Json config = Json::object();   // the training options as JSON

  Json to_json() const;
  static ModelLineage from_json(const Json& json);
};

struct StoredModel {
  std::string id;                        // "m-" + 12 hex
  std::string kind = kModelKindTorch;    // torch or classic
  std::string arch;                      // ArchSpec text for torch ("cnn-m:w=0.5"); classic spec text ("knn:hog")
  ArchSpec spec;                         // torch models: the full spec (input shape, classes)
  std::vector<std::string> labels;       // index = class id
  InputShape input;                      // model input [C, H, W]
  Json preprocess = Json::object();      // preprocess::Pipeline JSON, applied before the model
  std::string preprocess_hash;
  ModelLineage lineage;
  Json metrics = Json::object();         // {"val_accuracy": ..., "val_loss": ...}
  Json diagnosis = Json::object();       // train/fit_diagnosis.h result
  int64_t parameters = 0;
  double mflops = 0.0;                   // per image
  std::string created_at;                // ISO 8601 UTC

  Json to_json() const;
  static StoredModel from_json(const Json& json);
};

std::filesystem::path model_json_path(const Workspace& workspace, const std::string& model_id);
std::filesystem::path model_weights_path(const Workspace& workspace, const std::string& model_id);
std::filesystem::path model_classic_path(const Workspace& workspace, const std::string& model_id);

// Writes model.json atomically (creating the folder); weights are written before it by the trainer,
// so a model.json always names complete weights.
void write_stored_model(const Workspace& workspace, const StoredModel& model);
// Throws Error(kNotFound) naming the folder when absent, Error(kCorrupt) when model.json is damaged.
StoredModel load_stored_model(const Workspace& workspace, const std::string& model_id);

// A fresh id: prefix + 12 hex digits from the clock, the process and `salt`.
std::string new_record_id(const std::string& prefix, const std::string& salt);

}  // namespace edgeloop
