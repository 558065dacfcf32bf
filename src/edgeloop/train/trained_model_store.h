// store_trained_model: the one way a trained model (torch or classic) enters a workspace. Its
// folder and files first, model.json next, the registry's models row last (with whatever else
// the caller's transaction holds), so a killed process leaves at worst an unreferenced folder.
// Called by training_session (networks) and classic_training (baselines). One call at a time per
// Registry.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

struct TrainedModelFiles {
  std::string id_salt;            // makes the new "m-" id unique (a run id, or the spec + dataset)
  std::string run_id;             // the registry's run ("" for classic baselines)
  double val_accuracy = 0.0;      // 0..1, indexed in the models table
  // Writes the model's own files (weights.safetensors or classic.yml) into its folder, which
  // exists by then; model.id is set.
  std::function<void()> write_files;
  // Runs inside the transaction that adds the models row (a run's finish); may be empty.
  std::function<void()> in_same_transaction;
};

// Gives `model` its id and created_at, then stores it as above. Throws Error(kIo) naming the file.
void store_trained_model(const Workspace& workspace, Registry& registry, StoredModel& model,
                         const TrainedModelFiles& files);

}  // namespace edgeloop
