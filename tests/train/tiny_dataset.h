// Tiny generated datasets for training tests: PNG images written to a workspace's object store and
// recorded as a split dataset version, so tests exercise the real cache, loader and registry.
#pragma once

#include <string>

#include "edgeloop/core/workspace.h"

namespace edgeloop::testing {

struct TinyDatasetOptions {
  int classes = 3;              // class k draws a bright square in corner k (learnable)
  int train_per_class = 30;
  int val_per_class = 10;
  int test_per_class = 10;      // test set "test:holdout"
  int size = 12;                // square images, pixels
  bool pure_noise = false;      // no class signal at all: only memorisation fits the training set
  unsigned seed = 1;
};

// Creates the dataset `name` (version 1) and returns "name@1".
std::string make_tiny_dataset(const Workspace& workspace, const std::string& name, const TinyDatasetOptions& options = {});

}  // namespace edgeloop::testing
