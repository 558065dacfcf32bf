#include "edgeloop/train/trained_model_store.h"

#include "edgeloop/core/timestamp.h"
#include "edgeloop/registry/model_store.h"

namespace edgeloop {

void store_trained_model(const Workspace& workspace, Registry& registry, StoredModel& model,
                         const TrainedModelFiles& files) {
  model.id = new_record_id(kModelIdPrefix, files.id_salt);
  model.created_at = utc_timestamp();
  const std::filesystem::path folder = workspace.model_dir(model.id);
  std::filesystem::create_directories(folder);
  if (files.write_files) files.write_files();
  write_stored_model(workspace, model);
  const ModelRecord record{model.id,         files.run_id,     model.lineage.dataset_version, model.kind,
                           model.arch,       model.parameters, model.mflops,                  files.val_accuracy,
                           std::filesystem::relative(folder, workspace.state_dir()).string(), model.created_at};
  registry.in_transaction([&](SQLite::Database&) {
    ModelStore(registry).add_model(record);
    if (files.in_same_transaction) files.in_same_transaction();
  });
}

}  // namespace edgeloop
