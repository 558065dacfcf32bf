// A tiny but real workspace registry for report and lineage tests: one dataset version (an import
// with a reject, then a split), a finished run with epochs, its model with a validation and a test
// evaluation, a classic model tested on the same test set earlier, and a sweep. Header-only.
#pragma once

#include <string>

#include "edgeloop/core/hash.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/registry/run_store.h"

namespace edgeloop::testing {

struct TinyRegistry {
  std::string version_id;
  std::string run_id = "r-00000000000a";
  std::string model_id = "m-00000000000a";
  std::string classic_model_id = "m-00000000000c";
  std::string sweep_id = "s-00000000000a";
};

inline TinyRegistry fill_tiny_registry(Registry& registry) {
  TinyRegistry ids;
  registry.in_transaction([&](SQLite::Database&) {
    DatasetStore datasets(registry);
    NewVersion version;
    version.dataset = "tiny";
    version.change = "import /data/tiny (folder); split val=0.2 test=0.2";
    version.classes = {"cat", "dog", "bird"};
    std::vector<ObjectInfo> objects;
    for (int index = 0; index < 30; ++index) {
      const std::string hash = sha256_hex("image " + std::to_string(index));
      objects.push_back({hash, 100, "png", 28, 28, 1});
      const char* split = index % 5 == 0 ? "val" : index % 5 == 1 ? "test:official" : "train";
      version.samples.push_back({hash, index % 3, split, "/data/tiny/" + std::to_string(index) + ".png"});
    }
    datasets.add_objects(objects);
    const DatasetVersion stored = datasets.add_version(version);
    ids.version_id = stored.id;
    datasets.add_import({stored.id, "/data/tiny", "folder", 30, 1, {{"/data/tiny/broken.png", "not an image"}}});

    RunStore runs(registry);
    RunRecord run;
    run.id = ids.run_id;
    run.version_id = stored.id;
    run.arch = "cnn-s";
    run.preprocess_hash = sha256_hex("pipeline");
    run.config = Json{{"epochs", 3}, {"batch_size", 64}};
    run.code_commit = "abc1234";
    run.seed = 7;
    run.started_at = "2026-11-25T12:00:00Z";
    runs.add_run(run);
    for (int epoch = 1; epoch <= 3; ++epoch) {
      runs.put_epoch(ids.run_id, {epoch, 1.0 / epoch, 0.5 + 0.1 * epoch, 1.1 / epoch, 0.45 + 0.1 * epoch, 0.01, 1.0, 2000});
    }
    runs.finish_run(ids.run_id, kRunFinished, Json{{"verdict", "underfitting"}, {"reasons", {"still improving"}}, {"advice", {"train longer"}}});

    ModelStore models(registry);
    models.add_model({ids.classic_model_id, "", stored.id, "classic", "knn:hog", 0, 0.1, 0.6, "models/" + ids.classic_model_id,
                      "2026-11-25T11:00:00Z"});
    models.add_model({ids.model_id, ids.run_id, stored.id, "torch", "cnn-s", 12000, 0.8, 0.75, "models/" + ids.model_id,
                      "2026-11-25T12:10:00Z"});
    const Json confusion = {{{"confusion", {{3, 1, 0}, {0, 2, 0}, {1, 0, 1}}}}};
    models.add_evaluation({0, ids.classic_model_id, "tiny", stored.id, "test:official", 0.5, confusion[0], false, 0,
                           "2026-11-25T11:30:00Z"});
    models.add_evaluation({0, ids.model_id, "tiny", stored.id, "val", 0.75, confusion[0], false, 0, "2026-11-25T12:11:00Z"});
    models.add_evaluation({0, ids.model_id, "tiny", stored.id, "test:official", 0.66, confusion[0], false, 1,
                           "2026-11-25T12:12:00Z"});
    runs.add_sweep({ids.sweep_id, stored.id, Json{{"budget_minutes", 1}},
                    Json{{"rows",
                          {{{"arch", "cnn-s"}, {"model_id", ids.model_id}, {"val_accuracy", 0.75}, {"latency_ms", 0.05},
                            {"file_bytes", 50000}, {"pareto", true}}}},
                         {"pick", {{"model_id", ids.model_id}, {"reason", "only one"}}}},
                    "2026-11-25T12:20:00Z"});
  });
  return ids;
}

}  // namespace edgeloop::testing
