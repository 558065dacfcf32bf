// Split: assigns each sample of a dataset version to train, val or one of several named test sets,
// stratified per class, and records the result as a new version. Deterministic: samples are drawn
// in an order fixed by their content hash and the seed (sample_order.h). Stable: when a version
// that was split with the same options gains samples (import --add), the old samples keep their
// split and only the new ones are assigned, topping each split up to its share. An image is one
// sample (one object hash) per version, so exact duplicates can never sit on both sides. With
// `group_by`, near-duplicates too: whole groups are assigned, in an order fixed by the group's key
// and the seed, and a group that already has a side keeps it for its new samples.
// Called by `edgeloop data split`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

struct TestSetOptions {
  std::string name = "test";  // the split is stored as "test:<name>"
  double fraction = 0.1;      // share of each class, 0..1
};

struct SplitOptions {
  double val_fraction = 0.1;                        // share of each class that goes to val, 0..1
  std::vector<TestSetOptions> test_sets = {{}};     // named test sets, each with its share
  std::string keep_origin_test;                     // non-empty: samples whose origin is the source's own
                                                    // test set ("t10k", "test") form this test set, and the
                                                    // shares above apply to the other samples
  uint64_t seed = 0;                                // changes the draw; same seed, same split
  std::string group_by;                             // non-empty: keep each group on one side (split_groups.h:
                                                    // capture-session, source or a regex on the origin); the
                                                    // shares then apply to the whole version, not per class

  Json to_json() const;
};

// The name of a fresh test set for the captured frames of `version`: "captured-<dataset>-<number>"
// (stored as test:captured-...), so no earlier model was tested on it.
std::string captured_test_set_name(const DatasetVersion& version);

// Samples whose origin marks them as the source's own test set: "t10k#N" (Fashion-MNIST) or "test#N".
bool is_origin_test(const std::string& origin);

// The assignment itself, on rows in memory: returns one split name per sample. When `keep_existing`,
// samples that already have a split keep it. Throws Error(kInvalidArgument) on bad fractions.
std::vector<std::string> assign_splits(const std::vector<Sample>& samples, const SplitOptions& options,
                                       bool keep_existing);

struct SplitResult {
  DatasetVersion version;        // the split version (an identical existing one when nothing changed)
  bool kept_existing = false;    // true when an earlier split with the same options was extended
  int64_t newly_assigned = 0;    // samples whose split was set by this call
};

SplitResult split_dataset(Registry& registry, const std::string& reference, const SplitOptions& options);

}  // namespace edgeloop
