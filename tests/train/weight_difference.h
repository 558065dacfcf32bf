// The largest absolute difference between two stored models' weights, for tests that check two
// ways of training end at the same model (one process against data-parallel ranks) or that a layer
// was carried over from the model training started from. Header-only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/models/weights_file.h"

namespace edgeloop::testing {

// Fails the test (and returns infinity) when the two models' tensors differ in names or sizes.
// `name_prefix`: only the tensors whose name starts with it (e.g. "classifier.").
inline double largest_weight_difference(const Workspace& workspace, const std::string& model_a, const std::string& model_b,
                                        const std::string& name_prefix = "") {
  const WeightMap a = read_weights_file(model_weights_path(workspace, model_a));
  const WeightMap b = read_weights_file(model_weights_path(workspace, model_b));
  EXPECT_EQ(a.size(), b.size());
  double largest = 0;
  int compared = 0;
  for (const auto& [name, tensor] : a) {
    if (!name.starts_with(name_prefix)) continue;
    ++compared;
    if (!b.count(name) || b.at(name).values.size() != tensor.values.size()) {
      ADD_FAILURE() << name << " differs in presence or size";
      return INFINITY;
    }
    for (size_t index = 0; index < tensor.values.size(); ++index) {
      largest = std::max<double>(largest, std::fabs(b.at(name).values[index] - tensor.values[index]));
    }
  }
  EXPECT_GT(compared, 0) << "no tensor named " << name_prefix << "...";
  return largest;
}

}  // namespace edgeloop::testing
