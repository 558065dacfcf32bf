// A workspace for export tests: a tiny synthetic image dataset (three classes of striped 28×28
// gray PNGs, train and val splits) stored through the real ObjectStore and registry, and stored
// models made from LibTorch modules (optionally trained for a few steps).
#pragma once

#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/registry/dataset_store.h"
#include "support/temp_dir.h"

namespace edgeloop::testing {

constexpr int kExportTestClasses = 3;

class ExportWorkspace {
 public:
  ExportWorkspace(int train_images, int val_images);
  const Workspace& workspace() const { return workspace_; }
  const DatasetVersion& version() const { return version_; }

  // A module of `family` for the dataset's 28×28 gray images; its batch-norm statistics are set
  // by forward passes over training images so folding has something to fold.
  LayerGraphModule make_module(const std::string& family) const;
  // A few hundred Adam steps on the training split; returns validation accuracy.
  double train(LayerGraphModuleImpl& module, int steps) const;
  // Writes weights.safetensors and model.json; returns the model id.
  std::string store(LayerGraphModuleImpl& module, const std::string& family, const std::string& id) const;

 private:
  torch::Tensor batch_of(const std::string& split, int first, int count, torch::Tensor* labels) const;

  TempDir dir_;
  Workspace workspace_;
  DatasetVersion version_;
};

}  // namespace edgeloop::testing
