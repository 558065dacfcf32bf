// ChampionWorkspace: a workspace with a trained champion on a tiny "shapes" dataset, and new
// labelled samples of the same classes to retrain on (what `edgeloop label` would make), for the
// promote tests. Real LibTorch training; seconds.
#pragma once

#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/train/training_session.h"
#include "support/temp_dir.h"
#include "train/tiny_dataset.h"

namespace edgeloop::testing {

struct ChampionWorkspace {
  TempDir dir;
  Workspace workspace = Workspace::init(dir / "ws");
  std::string champion;

  // A champion of `arch` trained one epoch on a tiny "shapes" dataset, with `seed` and `batch`.
  explicit ChampionWorkspace(const std::string& arch = "cnn-s", int batch = 0, uint64_t seed = 0) {
    make_tiny_dataset(workspace, "shapes");
    TrainOptions options;
    options.data = "shapes@1";
    options.arch = arch;
    options.epochs = 1;
    options.threads = 1;
    if (batch > 0) options.batch = batch;
    if (seed > 0) options.seed = seed;
    champion = train_model(workspace, options, Json(), {}).model.id;
  }

  // New labelled samples: a second tiny dataset of the same classes, its test images moved to
  // `test_name` and the rest unsplit.
  std::string add_labels(const std::string& test_name) {
    TinyDatasetOptions tiny;
    tiny.seed = 7;
    tiny.train_per_class = 5;
    tiny.val_per_class = 0;
    tiny.test_per_class = 2;
    make_tiny_dataset(workspace, "captures", tiny);
    Registry registry = Registry::open(workspace.registry_path());
    DatasetStore store(registry);
    const DatasetVersion first = store.resolve("captures@1");
    NewVersion relabelled{first.dataset, first.id, "test relabel", first.classes, Json::object(), store.samples(first.id)};
    for (Sample& sample : relabelled.samples) sample.split = sample.split.rfind("test:", 0) == 0 ? "test:" + test_name : "";
    for (Sample& sample : relabelled.samples) {
      if (sample.split.empty()) {
        sample.label = -1;   // one still unlabelled
        break;
      }
    }
    DatasetVersion made;
    registry.in_transaction([&](SQLite::Database&) { made = store.add_version(relabelled); });
    return made.reference();
  }
};

}  // namespace edgeloop::testing
